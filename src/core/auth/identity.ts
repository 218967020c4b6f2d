import type { Role } from './roles';

/**
 * Who is calling, as the access guard established it. `id` is stable (token id, OIDC subject,
 * `bootstrap`); `name` is for people reading the audit trail.
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
