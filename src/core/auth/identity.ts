import type { Role } from './roles';

/**
 * Who is calling, as the access guard established it. `id` is the stable actor id the audit
 * trail, its `?actor=` filter and the page fields name: `bootstrap`, `token:<token id>`,
 * `oidc:<issuer>#<sub>`, `cli`. It never comes from a display name, so no one can take another's
 * by choosing a name. `name` is for people reading the trail.
 */
export interface Identity {
  kind: 'token' | 'oidc' | 'bootstrap' | 'cli';
  id: string;
  name: string;
  role: Role;
}

/** The request fields the access guard sets; read by `@ReqContext()`. */
export interface AuthenticatedRequestFields {
  identity?: Identity;
}

/** Who did something, as stored: in audit entries, on tokens, beside page fields. */
export interface ActorRef {
  id: string;
  name: string;
}

export const BOOTSTRAP_ACTOR_ID = 'bootstrap';
/** The page-action scheduler: it acts on behalf of whoever scheduled the action. */
export const SCHEDULER_ACTOR_ID = 'scheduler';

export const tokenActorId = (tokenId: string): string => `token:${tokenId}`;

/** The token id in a `token:<id>` actor id, or undefined for any other actor. */
export const tokenIdOfActor = (actorId: string): string | undefined =>
  actorId.startsWith('token:') ? actorId.slice('token:'.length) : undefined;

/** Issuer and subject together: `sub` is unique only within its issuer (OIDC Core 2). */
export const oidcActorId = (issuer: string, subject: string): string => `oidc:${issuer}#${subject}`;

/**
 * The id an actor had in rows written before actor ids were qualified: a token's bare id, an
 * OIDC subject alone; undefined for the others (unchanged).
 */
export function legacyActorId(actorId: string): string | undefined {
  const tokenId = tokenIdOfActor(actorId);
  if (tokenId) return tokenId;
  // An issuer has no fragment (OpenID Discovery 4.3): the first '#' ends it.
  const hash = actorId.startsWith('oidc:') ? actorId.indexOf('#') : -1;
  return hash > 0 ? actorId.slice(hash + 1) : undefined;
}
