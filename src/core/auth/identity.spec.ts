import { legacyActorId, oidcActorId, tokenActorId } from './identity';

describe('legacyActorId (the id rows had before actor ids were qualified)', () => {
  it("is a token's bare id and an OIDC subject alone, and nothing for the other actors", () => {
    expect(legacyActorId(tokenActorId('6650f1c2a4e8d2b4c519a433'))).toBe(
      '6650f1c2a4e8d2b4c519a433',
    );
    expect(legacyActorId(oidcActorId('https://idp.example/realms/a', 'user#1'))).toBe('user#1');
    expect(legacyActorId(oidcActorId('https://idp.example/realms/staff', 'jane'))).toBe('jane');
    for (const id of ['bootstrap', 'scheduler', 'cli', 'oidc:no-subject'])
      expect(legacyActorId(id)).toBeUndefined();
  });
});
