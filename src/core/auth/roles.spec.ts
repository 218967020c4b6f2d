import fc from 'fast-check';
import { highestRole, isRole, roleIncludes, ROLES } from './roles';

describe('roles', () => {
  it('orders viewer < editor < publisher < admin, each including the ones before', () => {
    expect(roleIncludes('admin', 'viewer')).toBe(true);
    expect(roleIncludes('publisher', 'editor')).toBe(true);
    expect(roleIncludes('editor', 'publisher')).toBe(false);
    expect(roleIncludes('viewer', 'editor')).toBe(false);
    expect(roleIncludes('publisher', 'admin')).toBe(false);
  });

  it('is a total order: reflexive, antisymmetric, transitive', () => {
    const role = fc.constantFrom(...ROLES);
    fc.assert(
      fc.property(role, role, role, (a, b, c) => {
        expect(roleIncludes(a, a)).toBe(true);
        if (a !== b) expect(roleIncludes(a, b)).not.toBe(roleIncludes(b, a));
        if (roleIncludes(a, b) && roleIncludes(b, c)) expect(roleIncludes(a, c)).toBe(true);
      }),
    );
  });

  it('picks the highest of several roles and refuses unknown names', () => {
    expect(highestRole(['viewer', 'publisher', 'editor'])).toBe('publisher');
    expect(highestRole([])).toBeUndefined();
    expect(isRole('owner')).toBe(false);
    expect(isRole('admin')).toBe(true);
  });
});
