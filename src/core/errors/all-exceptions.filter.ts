import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../database/mongo-errors';
import { DomainError } from './domain.error';
import { ERROR_STATUS, ErrorCode } from './error-code';
import type { ErrorResponseDto } from './error-response.dto';
import { boundedMessage } from './problem-list';

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: ErrorCode.BadRequest,
  401: ErrorCode.Unauthorized,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  405: ErrorCode.MethodNotAllowed,
  409: ErrorCode.Conflict,
  412: ErrorCode.VersionMismatch,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  428: ErrorCode.PreconditionRequired,
  429: ErrorCode.TooManyRequests,
  503: ErrorCode.DatabaseUnavailable,
};

/** Seconds a client should wait before retrying a 503 from a database outage. */
const DB_RETRY_AFTER_SECONDS = 2;

interface Mapped {
  status: number;
  code: ErrorCode;
  message: string;
  /** Sent as `Retry-After` (503 outages). */
  retryAfterSeconds?: number;
}

function httpExceptionMessage(e: HttpException): string {
  const body = e.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : e.message;
}

/** Turns any thrown value into the API's error shape. Exported for Fastify's own error handler. */
export function mapError(error: unknown): Mapped {
  if (error instanceof DomainError) {
    return { status: ERROR_STATUS[error.code], code: error.code, message: error.message };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const message = httpExceptionMessage(error);
    if (status === 400 && /JSON|Unexpected token|Unexpected end/i.test(message)) {
      return { status, code: ErrorCode.MalformedJson, message: 'Request body is not valid JSON' };
    }
    return { status, code: CODE_BY_STATUS[status] ?? ErrorCode.BadRequest, message };
  }
  if (error instanceof Error) {
    // Fastify's own errors (body parsing, limits, media types) carry a 4xx statusCode and FST_ code.
    const fst = error as Error & { code?: unknown; statusCode?: number };
    // Driver errors carry numeric codes; only Fastify's string FST_ codes are client errors.
    if (
      typeof fst.code === 'string' &&
      fst.code.startsWith('FST_') &&
      fst.statusCode &&
      fst.statusCode < 500
    ) {
      if (fst.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.name === 'SyntaxError') {
        return {
          status: 400,
          code: ErrorCode.MalformedJson,
          message: 'Request body is not valid JSON',
        };
      }
      if (fst.statusCode === 413) {
        return {
          status: 413,
          code: ErrorCode.PayloadTooLarge,
          message: 'Request body is too large',
        };
      }
      return {
        status: fst.statusCode,
        code: CODE_BY_STATUS[fst.statusCode] ?? ErrorCode.BadRequest,
        message: error.message,
      };
    }
    if (isDatabaseUnavailable(error)) {
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        code: ErrorCode.DatabaseUnavailable,
        message: 'The database is unavailable; try again shortly',
        retryAfterSeconds: DB_RETRY_AFTER_SECONDS,
      };
    }
  }
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    code: ErrorCode.InternalError,
    message: 'An unexpected error occurred',
  };
}

export function errorBody(mapped: Mapped, requestId: string): ErrorResponseDto {
  return {
    statusCode: mapped.status,
    error: mapped.code,
    message: boundedMessage(mapped.message),
    requestId,
  };
}

const logger = new Logger('Errors');

export function logError(mapped: Mapped, error: unknown, request: FastifyRequest): void {
  const context = { requestId: request.id, method: request.method, url: request.url };
  if (mapped.status >= 500) {
    logger.error(
      { ...context, err: error, error: mapped.code },
      `${mapped.code}: ${String((error as Error)?.message ?? error)}`,
    );
  } else {
    logger.debug?.({ ...context, error: mapped.code, message: mapped.message }, 'request refused');
  }
}

/** The one place where exceptions become HTTP responses. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const mapped = mapError(exception);
    logError(mapped, exception, request);
    if (mapped.retryAfterSeconds)
      void reply.header('retry-after', String(mapped.retryAfterSeconds));
    void reply
      .status(mapped.status)
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(errorBody(mapped, request.id));
  }
}
