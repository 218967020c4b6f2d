import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedRequestFields, Identity } from '../auth/identity';

/**
 * Who made a change, under which request id and from where: carried into the audit trail, the
 * page's `updatedBy` and CDN outbox entries. `actor` is the identity's display name.
 */
export interface RequestContext {
  requestId: string;
  actor: string;
  identity?: Identity;
  /** The client address as Fastify resolved it (X-Forwarded-For only from trusted proxies). */
  sourceIp?: string;
}

export function requestContextOf(
  request: FastifyRequest & AuthenticatedRequestFields,
): RequestContext {
  const identity = request.identity;
  return {
    requestId: String(request.id),
    actor: identity?.name ?? 'anonymous',
    identity,
    sourceIp: request.ip,
  };
}

export const ReqContext = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): RequestContext =>
    requestContextOf(ctx.switchToHttp().getRequest<FastifyRequest & AuthenticatedRequestFields>()),
);
