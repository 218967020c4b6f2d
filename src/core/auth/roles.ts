/**
 * Staff roles, each including the ones before it: viewer < editor < publisher < admin.
 * - viewer: read admin data, search logs
 * - editor: create and edit drafts and draft schedules
 * - publisher: publish/unpublish/archive, live schedule changes, restore, manual CDN invalidation
 * - admin: manage tokens, read the audit trail, delete pages
 */
export const ROLES = ['viewer', 'editor', 'publisher', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when `held` includes everything `required` may do. */
export function roleIncludes(held: Role, required: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(required);
}

/** The highest of several roles (an OIDC user in several mapped groups), or undefined. */
export function highestRole(roles: Iterable<Role>): Role | undefined {
  let best: Role | undefined;
  for (const role of roles) if (!best || roleIncludes(role, best)) best = role;
  return best;
}
