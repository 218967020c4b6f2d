// What the public cache holds and hands out, shared by the cache (public-cache.ts) and the
// responder that sends it (http/fast-path/public-responder.ts): a module that imports neither.

/**
 * A public response as it is sent, prepared once when it is read from the database (and cached):
 * the body already encoded, the validators already formatted, so a cache hit copies bytes and
 * formats nothing.
 */
export interface PublicRepresentation {
  /** The exact body, UTF-8. */
  body: Buffer;
  etag: string;
  /** `Last-Modified`, as an HTTP date. */
  lastModified?: string;
  /** A scheduled unpublish: no cache may keep the response past it (see publicCacheHeaders). */
  notAfter?: Date | null;
}

/** Prepares a representation from what the database returned (see PublicRepresentation). */
export function publicRepresentation(source: {
  body: string;
  etag: string;
  lastModified?: Date;
  notAfter?: Date | null;
}): PublicRepresentation {
  return {
    body: Buffer.from(source.body),
    etag: source.etag,
    ...(source.lastModified ? { lastModified: new Date(source.lastModified).toUTCString() } : {}),
    notAfter: source.notAfter ?? null,
  };
}

export interface CacheHit<T> {
  value: T;
  /** Served past its freshness because the database failed (serve-stale-on-error). */
  stale: boolean;
  /** Seconds since the value was read from the database. */
  ageSeconds: number;
}

/** Bytes of a cached representation (or a cached "not found"). */
export const representationBytes = (r: PublicRepresentation | null): number =>
  r ? r.body.length + r.etag.length + 96 : 16;
