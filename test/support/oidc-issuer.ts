import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type CryptoKey, SignJWT } from 'jose';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function newKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return {
    kid,
    privateKey,
    jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
  };
}

export interface TokenOptions {
  sub?: string;
  aud?: string;
  iss?: string;
  claims?: Record<string, unknown>;
  /** Seconds from now; negative for the past. */
  expiresIn?: number;
  notBefore?: number;
  /** Sign with a key the issuer does not publish. */
  unpublishedKey?: boolean;
  /** The `typ` header: `at+jwt` (an RFC 9068 access token) unless given; null: none. */
  typ?: string | null;
}

/**
 * A real OIDC issuer for tests, on loopback: a discovery document and a JWKS over HTTP, tokens
 * signed with generated RSA keys. The service verifies them exactly as it would an IdP's.
 */
export class OidcTestIssuer {
  private server?: Server;
  private keys: SigningKey[] = [];
  private stray?: SigningKey;
  private generation = 0;
  issuer = '';
  jwksRequests = 0;

  async start(): Promise<this> {
    this.keys = [await newKey(`k${++this.generation}`)];
    this.stray = await newKey('stray');
    this.server = createServer((req, res) => {
      if (req.url === '/.well-known/openid-configuration') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ issuer: this.issuer, jwks_uri: `${this.issuer}/jwks` }));
      } else if (req.url === '/jwks') {
        this.jwksRequests++;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: this.keys.map((k) => k.jwk) }));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Publishes a new key and retires the old one (what an IdP's rotation ends in). */
  async rotate(): Promise<void> {
    this.keys = [await newKey(`k${++this.generation}`)];
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async sign(options: TokenOptions = {}): Promise<string> {
    const key = options.unpublishedKey ? this.stray! : this.keys[0];
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ ...options.claims })
      .setProtectedHeader({
        alg: 'RS256',
        kid: key.kid,
        ...(options.typ === null ? {} : { typ: options.typ ?? 'at+jwt' }),
      })
      .setIssuer(options.iss ?? this.issuer)
      .setAudience(options.aud ?? 'sponsored-agents')
      .setSubject(options.sub ?? 'user-1')
      .setIssuedAt(now)
      .setExpirationTime(now + (options.expiresIn ?? 300));
    if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
    return jwt.sign(key.privateKey);
  }

  /** An unsigned token (`alg: none`) with otherwise valid claims. */
  unsigned(claims: Record<string, unknown> = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    return `${part({ alg: 'none', typ: 'JWT' })}.${part({
      iss: this.issuer,
      aud: 'sponsored-agents',
      sub: 'user-1',
      exp: now + 300,
      ...claims,
    })}.`;
  }
}
