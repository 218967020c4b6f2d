import { hashTokenSecret, looksLikeTokenSecret, newTokenSecret } from './token-secret';

describe('token secrets', () => {
  it('are prefixed, high-entropy and distinct', () => {
    const secrets = new Set(Array.from({ length: 200 }, () => newTokenSecret()));
    expect(secrets.size).toBe(200);
    for (const s of secrets) expect(looksLikeTokenSecret(s)).toBe(true);
  });

  it('are stored as their SHA-256, never as themselves', () => {
    const secret = newTokenSecret();
    const hash = hashTokenSecret(secret);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(secret.slice(4));
    expect(hashTokenSecret(secret)).toBe(hash);
  });

  it('refuses look-alikes', () => {
    expect(looksLikeTokenSecret('sat_short')).toBe(false);
    expect(looksLikeTokenSecret(`xat_${'a'.repeat(43)}`)).toBe(false);
  });
});
