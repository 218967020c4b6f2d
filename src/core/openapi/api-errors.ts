import { applyDecorators } from '@nestjs/common';
import { ApiResponse, getSchemaPath, type ApiResponseOptions } from '@nestjs/swagger';
import { ERROR_STATUS, ErrorCode } from '../errors/error-code';
import { MAX_PAGE_CONTENT_BYTES, REQUEST_SHAPE_LIMITS as L } from '../http/request-shape';

/** The statuses an operation documents with the error shape (405 is answered for every path). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 428 | 429 | 503;

/** A sample message per code for Swagger UI's examples; the compiler keeps it exhaustive. */
const SAMPLE_MESSAGE: Record<ErrorCode, string> = {
  [ErrorCode.BadRequest]: 'cursor is invalid',
  [ErrorCode.ValidationFailed]: 'sponsor.logoUrl must be an absolute http(s) URL',
  [ErrorCode.MalformedJson]: 'Request body is not valid JSON',
  [ErrorCode.RequestShapeLimit]:
    'Request body has an array with more than the limit of 400 items (at exceptions)',
  [ErrorCode.Unauthorized]: 'Missing bearer token in the Authorization header',
  [ErrorCode.Forbidden]: 'This route needs the publisher role',
  [ErrorCode.NotFound]: 'Cannot GET /v1/nothing',
  [ErrorCode.PageNotFound]: 'No published page with slug "jane-doe"',
  [ErrorCode.RevisionNotFound]: 'Page 665f1c2a4e8d2b4c519a433c has no revision 7',
  [ErrorCode.EventNotFound]: 'No event 0b6f8f0e-7a51-4c47-9f55-0d0f2b5f3f9a on this page',
  [ErrorCode.InvalidationNotFound]: 'No invalidation 665f1c2a4e8d2b4c519a433c',
  [ErrorCode.TokenNotFound]: 'No token with id "665f1c2a4e8d2b4c519a433c"',
  [ErrorCode.ActionNotFound]: 'No scheduled action with id "665f1c2a4e8d2b4c519a433c"',
  [ErrorCode.MethodNotAllowed]: 'PUT is not allowed on /v1/pages; allowed: GET, HEAD',
  [ErrorCode.SlugTaken]: 'Slug "jane-doe" is already in use',
  [ErrorCode.InvalidState]: 'Page is not published',
  [ErrorCode.Conflict]: 'The request conflicts with the current state',
  [ErrorCode.VersionMismatch]: 'Version 3 is stale; the page is at version 4',
  [ErrorCode.PreconditionRequired]:
    'If-Match header with the current version (e.g. If-Match: "3") is required',
  [ErrorCode.PayloadTooLarge]: 'Request body is too large',
  [ErrorCode.UnsupportedMediaType]: 'Unsupported Media Type: text/plain',
  [ErrorCode.TooManyRequests]: 'Too many failed authentications; retry later',
  [ErrorCode.DatabaseUnavailable]: 'The database is unavailable; try again shortly',
  [ErrorCode.LogSearchUnavailable]: 'Log search is unavailable (OpenSearch unreachable)',
  [ErrorCode.Overloaded]: 'The service is overloaded; retry shortly',
  [ErrorCode.InternalError]: 'An unexpected error occurred',
};

const DEFAULT_DESCRIPTION: Record<ErrorStatus, string> = {
  400:
    'Invalid request: a parameter, header or body field breaks its rule (the message names it), ' +
    'unknown fields were sent, or the body or query string is beyond a shape limit (' +
    `${L.depth} levels, ${L.keys} keys per object, ${L.items} items per array, ${L.values} values in all), ` +
    `or the write would make a page's content larger than ${MAX_PAGE_CONTENT_BYTES / 1024} KiB as JSON`,
  401: 'Missing or invalid bearer token',
  403: "The token's role does not allow this operation",
  404: 'Not found',
  409: "Conflicts with the resource's current state",
  412: 'If-Match names a stale version: reload and retry',
  413: 'Request body larger than the limit (BODY_LIMIT_BYTES)',
  415: 'Request body is not application/json',
  428: 'If-Match header missing: admin writes must name the version they are based on',
  429: 'Too many requests; retry after Retry-After seconds',
  503: 'Temporarily unavailable (database outage, overload or shutting down); retry after Retry-After seconds',
};

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
};

/** Every code that maps to `status`, in the order of the enum. */
export function codesOf(status: ErrorStatus): ErrorCode[] {
  return Object.values(ErrorCode).filter(
    (code) => (ERROR_STATUS[code] as number) === status && code !== ErrorCode.InternalError,
  );
}

/** The OpenAPI response of one error status: the error schema, an example per code. */
export function errorResponse(
  status: ErrorStatus,
  description = DEFAULT_DESCRIPTION[status],
  codes: readonly ErrorCode[] = codesOf(status),
): ApiResponseOptions {
  const examples = Object.fromEntries(
    codes.map((code) => [
      code,
      {
        summary: code,
        value: {
          statusCode: status,
          error: code,
          message: SAMPLE_MESSAGE[code],
          requestId: '6f1c2a4e-8d2b-4c51-9a43-3c1f0e9b7d21',
        },
      },
    ]),
  );
  return {
    status,
    description,
    ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
    content: {
      'application/json': { schema: { $ref: getSchemaPath('ErrorResponseDto') }, examples },
    },
  };
}

/**
 * Documents error responses of an operation (or of every operation of a controller): the one
 * error shape, as JSON whatever the success content type, with an example per error code.
 * `ApiErrors(404, [409, 'Slug already in use'])` or `[404, 'No such page', [ErrorCode.PageNotFound]]`.
 */
export type ErrorEntry = ErrorStatus | readonly [ErrorStatus, string?, (readonly ErrorCode[])?];

export function ApiErrors(...entries: ErrorEntry[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...entries.map((entry) => {
      const [status, description, codes] = typeof entry === 'number' ? [entry] : entry;
      return ApiResponse(errorResponse(status, description, codes));
    }),
  );
}

/** Errors of every operation that takes a JSON body: validation, size and media type. */
export function ApiJsonBodyErrors(): MethodDecorator & ClassDecorator {
  return ApiErrors(400, 413, 415);
}
