import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Who made a change and under which request id: carried into audit logs and CDN outbox entries. */
export interface RequestContext {
  requestId: string;
  actor: string;
}

export const ReqContext = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): RequestContext => {
    const request = ctx.switchToHttp().getRequest<FastifyRequest & { actor?: string }>();
    return { requestId: String(request.id), actor: request.actor ?? 'anonymous' };
  },
);
