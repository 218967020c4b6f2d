import { Injectable, Logger } from '@nestjs/common';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { type ActorRef, type Identity, oidcActorId } from '../../core/auth/identity';
import { AppConfig } from '../../core/config/app-config';
import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import { displayName, roleFromClaims } from './oidc-claims';

/** Asymmetric algorithms only: `none` and HMAC (a shared secret the issuer also knows) never. */
const ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'EdDSA',
];

interface Discovered {
  jwks: JWTVerifyGetKey;
}

/**
 * Verifies OIDC access tokens (JWTs) against the issuer's published keys. Discovery is fetched on
 * first use and kept; the key set is jose's remote JWKS, which re-fetches on an unknown `kid`
 * (key rotation) at most every OIDC_JWKS_COOLDOWN_MS and drops keys after 10 minutes. Any failure — discovery or
 * JWKS unreachable, bad signature, wrong `iss`/`aud`, `exp`/`nbf` beyond the allowed skew, a `typ`
 * other than OIDC_REQUIRED_TOKEN_TYPE (an ID token, say) — is a 401: an unverifiable token is
 * never let in.
 */
/** A valid token of the issuer whose claims grant no role: a 403 that knows who was refused. */
export class NoRoleError extends DomainError {
  constructor(
    message: string,
    readonly actor: ActorRef,
  ) {
    super(ErrorCode.Forbidden, message);
  }
}

@Injectable()
export class OidcVerifier {
  private readonly logger = new Logger(OidcVerifier.name);
  private readonly oidc: AppConfig['auth']['oidc'];
  private discovered?: Promise<Discovered>;

  constructor(config: AppConfig) {
    this.oidc = config.auth.oidc;
  }

  get enabled(): boolean {
    return this.oidc !== undefined;
  }

  async verify(token: string): Promise<Identity> {
    const oidc = this.oidc;
    if (!oidc) throw new DomainError(ErrorCode.Unauthorized, 'Invalid bearer token');
    let jwks: JWTVerifyGetKey;
    try {
      jwks = (await this.discover()).jwks;
    } catch (error) {
      this.logger.warn({ err: error, issuer: oidc.issuer }, 'OIDC discovery failed');
      throw new DomainError(ErrorCode.Unauthorized, 'Cannot verify the token: issuer unavailable');
    }
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: oidc.issuer,
        audience: oidc.audience,
        algorithms: ALGORITHMS,
        clockTolerance: oidc.clockSkewSeconds,
        requiredClaims: ['sub', 'exp'],
        typ: oidc.tokenType,
      }));
    } catch (error) {
      throw new DomainError(ErrorCode.Unauthorized, `Invalid OIDC token: ${reason(error)}`);
    }
    const subject = payload.sub as string;
    const role = roleFromClaims(payload, oidc.rolesClaim, oidc.roleMap);
    const actor = { id: oidcActorId(oidc.issuer, subject), name: displayName(payload, subject) };
    if (!role)
      throw new NoRoleError(
        `the token's ${oidc.rolesClaim} claim maps to no role (see OIDC_ROLE_MAP)`,
        actor,
      );
    return { kind: 'oidc', ...actor, role };
  }

  private discover(): Promise<Discovered> {
    this.discovered ??= this.fetchDiscovery().catch((error: unknown) => {
      this.discovered = undefined; // try again on the next token
      throw error;
    });
    return this.discovered;
  }

  private async fetchDiscovery(): Promise<Discovered> {
    const oidc = this.oidc!;
    const url = `${oidc.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await fetch(url, { signal: AbortSignal.timeout(oidc.httpTimeoutMs) });
    if (!response.ok) throw new Error(`discovery answered ${response.status}`);
    const doc = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (doc.issuer !== oidc.issuer)
      throw new Error(`discovery names issuer ${String(doc.issuer)}, not ${oidc.issuer}`);
    if (typeof doc.jwks_uri !== 'string') throw new Error('discovery has no jwks_uri');
    return {
      jwks: createRemoteJWKSet(new URL(doc.jwks_uri), {
        timeoutDuration: oidc.httpTimeoutMs,
        cooldownDuration: oidc.jwksCooldownMs,
      }),
    };
  }
}

function reason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim ${error.claim} is not valid`;
  if (error instanceof errors.JWKSNoMatchingKey) return 'signed by an unknown key';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof errors.JWKSTimeout) return 'key set unavailable';
  if (error instanceof errors.JOSEError) return error.code;
  return 'key set unavailable';
}
