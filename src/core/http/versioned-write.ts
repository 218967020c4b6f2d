import { applyDecorators, createParamDecorator, ExecutionContext } from '@nestjs/common';
import {
  ApiHeader,
  ApiNotFoundResponse,
  ApiPreconditionFailedResponse,
  ApiResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ErrorResponseDto } from '../errors/error-response.dto';
import { parseIfMatch } from './preconditions';

/**
 * The concurrency contract of every versioned admin write, in two halves that go together:
 * `@VersionedWrite()` on the route documents it, `@IfMatchVersion()` on a parameter enforces it
 * (the version the write is based on; 428 when missing, 400 when unparsable).
 */
export function VersionedWrite(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiHeader({ name: 'If-Match', required: true, description: 'Current version, e.g. "3"' }),
    ApiPreconditionFailedResponse({
      type: ErrorResponseDto,
      description: 'Stale If-Match version',
    }),
    ApiResponse({ status: 428, type: ErrorResponseDto, description: 'If-Match missing' }),
    ApiNotFoundResponse({ type: ErrorResponseDto }),
  );
}

export const IfMatchVersion = createParamDecorator((_: unknown, ctx: ExecutionContext): number =>
  parseIfMatch(ctx.switchToHttp().getRequest<FastifyRequest>().headers['if-match']),
);
