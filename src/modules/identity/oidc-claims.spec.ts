import { claimAt, displayName, roleFromClaims } from './oidc-claims';

const map = new Map([
  ['cms-viewers', 'viewer'],
  ['cms-publishers', 'publisher'],
  ['cms-admins', 'admin'],
] as const);

describe('OIDC claims', () => {
  it('maps groups to the highest role any of them grants', () => {
    expect(
      roleFromClaims({ groups: ['other', 'cms-viewers', 'cms-publishers'] }, 'groups', map),
    ).toBe('publisher');
  });

  it('reads nested claims and space-separated strings', () => {
    const payload = { realm_access: { roles: ['cms-admins'] }, scp: 'read cms-viewers' };
    expect(claimAt(payload, 'realm_access.roles')).toEqual(['cms-admins']);
    expect(roleFromClaims(payload, 'realm_access.roles', map)).toBe('admin');
    expect(roleFromClaims(payload, 'scp', map)).toBe('viewer');
  });

  it('grants nothing for missing, unmapped or oddly typed claims', () => {
    expect(roleFromClaims({}, 'groups', map)).toBeUndefined();
    expect(roleFromClaims({ groups: ['nobody'] }, 'groups', map)).toBeUndefined();
    expect(roleFromClaims({ groups: { 'cms-admins': true } }, 'groups', map)).toBeUndefined();
    expect(roleFromClaims({ groups: [42, null] }, 'groups', map)).toBeUndefined();
  });

  it('names the user by name, then username, then email, then subject', () => {
    expect(displayName({ name: 'Ann Lee', email: 'a@x' }, 's')).toBe('Ann Lee');
    expect(displayName({ preferred_username: 'ann' }, 's')).toBe('ann');
    expect(displayName({}, 'sub-1')).toBe('sub-1');
  });
});
