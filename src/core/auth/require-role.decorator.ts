import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import { ApiErrors } from '../openapi/api-errors';
import type { Role } from './roles';

export const ADMIN_BEARER = 'admin-bearer';
export const REQUIRED_ROLE = 'auth:required-role';
export const PUBLIC_ROUTE = 'auth:public-route';
/** OpenAPI extension naming the role an operation needs (and the elevated one, if any). */
export const ROLE_EXTENSION = 'x-required-role';

export interface RoleRequirement {
  role: Role;
  /** A boolean query parameter that, when true, raises the requirement (`?live=true`). */
  elevated?: { query: string; role: Role };
}

/**
 * The one place a route declares who may call it. Everything under `/admin` without it needs
 * `admin` (deny by default, see AccessGuard); the route-table test insists it is always explicit.
 */
export function RequireRole(
  role: Role,
  elevated?: RoleRequirement['elevated'],
): MethodDecorator & ClassDecorator {
  const requirement: RoleRequirement = { role, ...(elevated ? { elevated } : {}) };
  const needs = elevated
    ? `role ${role} (${elevated.role} with ${elevated.query}=true)`
    : `role ${role}`;
  return applyDecorators(
    SetMetadata(REQUIRED_ROLE, requirement),
    ApiBearerAuth(ADMIN_BEARER),
    ApiExtension(ROLE_EXTENSION, elevated ? { role, [elevated.query]: elevated.role } : { role }),
    ApiErrors(
      [401, 'Missing, unknown, expired or revoked credentials'],
      [403, `Requires ${needs}`],
      [429, 'Too many failed authentications from this address, or writes by this identity'],
    ),
  );
}

/** Opts a route under `/admin` out of authentication. Nothing uses it today; it must be explicit. */
export function PublicRoute(): MethodDecorator & ClassDecorator {
  return SetMetadata(PUBLIC_ROUTE, true);
}
