import { highestRole, type Role } from '../../core/auth/roles';

/** Reads a claim by dot path (`realm_access.roles`), as providers nest their role claims. */
export function claimAt(payload: Record<string, unknown>, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * The service role of a token: the highest role any of its claim values maps to. The claim may
 * be a list (groups, app roles) or one string of space-separated values (a `scope`-like claim).
 */
export function roleFromClaims(
  payload: Record<string, unknown>,
  claimPath: string,
  roleMap: ReadonlyMap<string, Role>,
): Role | undefined {
  const claim = claimAt(payload, claimPath);
  const values = Array.isArray(claim)
    ? claim.filter((v): v is string => typeof v === 'string')
    : typeof claim === 'string'
      ? claim.split(/\s+/)
      : [];
  return highestRole(values.flatMap((v) => roleMap.get(v) ?? []));
}

/** What the audit trail shows for an OIDC user. */
export function displayName(payload: Record<string, unknown>, subject: string): string {
  for (const claim of ['name', 'preferred_username', 'email']) {
    const value = payload[claim];
    if (typeof value === 'string' && value.trim()) return value.trim().slice(0, 200);
  }
  return subject;
}
