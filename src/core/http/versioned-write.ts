import { applyDecorators, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiErrors } from '../openapi/api-errors';
import { IF_MATCH_PATTERN, parseIfMatch } from './preconditions';

/**
 * The concurrency contract of every versioned admin write, in two halves that go together:
 * `@VersionedWrite()` on the route documents it, `@IfMatchVersion()` on a parameter enforces it
 * (the version the write is based on; 428 when missing, 400 when unparsable).
 */
export function VersionedWrite(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'If-Match',
      required: true,
      description:
        'The version the write is based on, as the ETag of the last read: `"1"` (quotes and W/ optional)',
      schema: { type: 'string', pattern: IF_MATCH_PATTERN.source, example: '"1"' },
    }),
    ApiErrors(400, 404, 412, 428),
  );
}

export const IfMatchVersion = createParamDecorator((_: unknown, ctx: ExecutionContext): number =>
  parseIfMatch(ctx.switchToHttp().getRequest<FastifyRequest>().headers['if-match']),
);
