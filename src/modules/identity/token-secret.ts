import { createHash, randomBytes } from 'node:crypto';

/** Recognisable by secret scanners (GitHub's `ghp_`, Stripe's `sk_live_` do the same). */
export const TOKEN_PREFIX = 'sat_';
const SECRET = /^sat_[A-Za-z0-9_-]{43}$/;

/** A new token secret: the prefix and 256 random bits, base64url. */
export function newTokenSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function looksLikeTokenSecret(value: string): boolean {
  return SECRET.test(value);
}

/**
 * What is stored: SHA-256 of the secret. A slow password hash buys nothing for 256 random bits
 * (nothing to brute-force) and would cost every request; the hash only makes a database leak
 * useless for calling the API.
 */
export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
