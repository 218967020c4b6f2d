import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { ActorRef, AuthenticatedRequestFields, Identity } from '../auth/identity';
import { newRequestId } from './request-id';

/**
 * Who made a change, under which request id and from where: carried into the audit trail, the
 * page's `createdBy`/`updatedBy` (with their ids) and CDN outbox entries.
 */
export interface RequestContext {
  /**
   * The request's id as its response and log lines carry it (and so its CDN outbox entries): the
   * caller's sane `X-Request-Id`, or one the server made.
   */
  requestId: string;
  /**
   * An id the server made for the audit trail when the caller chose `requestId`: a caller can
   * choose any id, even another's, so the audit records this one as the request id and the
   * caller's beside it.
   */
  serverRequestId?: string;
  /** The actor's display name. */
  actor: string;
  /**
   * The actor's stable id where there is no identity (the scheduler, a person the issuer grants
   * no role); else `identity.id`.
   */
  actorId?: string;
  /** The kind of that actor (default `system`). */
  actorKind?: Identity['kind'];
  identity?: Identity;
  /** Whom an actor without an identity of its own acts for (the scheduler: who scheduled). */
  onBehalfOf?: ActorRef;
  /** The client address as Fastify resolved it (X-Forwarded-For only from trusted proxies). */
  sourceIp?: string;
}

/** The stable id and name of whoever a context speaks for. */
export function actorOf(ctx: RequestContext): ActorRef {
  return ctx.identity
    ? { id: ctx.identity.id, name: ctx.identity.name }
    : { id: ctx.actorId ?? 'system', name: ctx.actor };
}

// One server id per request however often its context is read (the guard, then the handler).
const serverIds = new WeakMap<FastifyRequest, string>();

export function requestContextOf(
  request: FastifyRequest & AuthenticatedRequestFields,
): RequestContext {
  const identity = request.identity;
  // genReqId kept the caller's header as the request id when it was sane (see request-id.ts).
  const clientChosen = request.headers['x-request-id'] === request.id;
  let serverRequestId: string | undefined;
  if (clientChosen) {
    serverRequestId = serverIds.get(request) ?? newRequestId();
    serverIds.set(request, serverRequestId);
  }
  return {
    requestId: request.id,
    ...(serverRequestId ? { serverRequestId } : {}),
    actor: identity?.name ?? 'anonymous',
    identity,
    sourceIp: request.ip,
  };
}

export const ReqContext = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): RequestContext =>
    requestContextOf(ctx.switchToHttp().getRequest<FastifyRequest & AuthenticatedRequestFields>()),
);
