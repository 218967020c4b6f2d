import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { errorBody, mapError } from './all-exceptions.filter';
import { DomainError } from './domain.error';
import { ErrorCode } from './error-code';

describe('mapError', () => {
  it('maps domain errors through the code table', () => {
    expect(mapError(new DomainError(ErrorCode.VersionMismatch, 'stale'))).toEqual({
      status: 412,
      code: ErrorCode.VersionMismatch,
      message: 'stale',
    });
    expect(mapError(new DomainError(ErrorCode.SlugTaken, 'taken')).status).toBe(409);
  });

  it('hides unexpected errors behind a 500 with no stack or internals in the body', () => {
    const error = new Error('connection string mongodb://user:secret@db leaked');
    const body = errorBody(mapError(error), 'req-1');
    expect(body).toEqual({
      statusCode: 500,
      error: ErrorCode.InternalError,
      message: 'An unexpected error occurred',
      requestId: 'req-1',
    });
    expect(JSON.stringify(body)).not.toMatch(/secret|stack|at /);
  });

  it('maps Nest HTTP exceptions, including unknown routes', () => {
    expect(mapError(new NotFoundException('Cannot GET /x'))).toMatchObject({
      status: 404,
      code: ErrorCode.NotFound,
    });
    expect(mapError(new PayloadTooLargeException())).toMatchObject({
      status: 413,
      code: ErrorCode.PayloadTooLarge,
    });
    expect(
      mapError(new BadRequestException('Unexpected token } in JSON at position 3')),
    ).toMatchObject({
      status: 400,
      code: ErrorCode.MalformedJson,
    });
  });

  it('maps Fastify body errors and database outages', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    expect(mapError(tooLarge)).toMatchObject({ status: 413, code: ErrorCode.PayloadTooLarge });
    const badJson = Object.assign(new SyntaxError('Unexpected end of JSON input'), {
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      statusCode: 400,
    });
    expect(mapError(badJson)).toMatchObject({ status: 400, code: ErrorCode.MalformedJson });
    const down = Object.assign(new Error('Server selection timed out'), {
      name: 'MongoServerSelectionError',
    });
    expect(mapError(down)).toMatchObject({ status: 503, code: ErrorCode.DatabaseUnavailable });
  });
});
