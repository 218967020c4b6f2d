import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../config/app-config';
import { isDatabaseUnavailable } from '../database/mongo-errors';
import type { CacheHit } from './public-representation';

interface Entry<T> {
  value: T;
  at: number;
  bytes: number;
}

/**
 * The in-process cache of public responses, in front of the database:
 * - a served copy comes from a database read that began less than `PUBLIC_CACHE_TTL_MS` before
 *   the request arrived (short: the CDN invalidation waits out this TTL, see
 *   CDN_INVALIDATION_SETTLE_MS, so the edge never re-fetches a pre-change copy after a purge);
 *   hot entries are refreshed ahead, in the background, in the second half of that life;
 * - bounded by bytes (`PUBLIC_CACHE_MAX_BYTES`, least recently used evicted first: lru-cache);
 * - single-flight: concurrent misses for one key make one database read at a time (a read is
 *   shared only with requests that arrive within the TTL of its start, see loadOnce);
 * - serve-stale-on-error: when the database is unreachable, an entry up to `CACHE_STALE_IF_ERROR`
 *   old is served (marked stale) instead of a 503. Other errors are never masked.
 * `null` (not found) is cached like any value, so unknown slugs cost no more than known ones.
 */
@Injectable()
export class PublicCache {
  private readonly ttlMs: number;
  private readonly staleMs: number;
  private readonly entries: LRUCache<string, Entry<unknown>> | null;
  private readonly inflight = new Map<string, Flight>();
  /** The keys held, by group (the key up to its first `:`): what `evict` finds a group by. */
  private readonly groups = new Map<string, Set<string>>();

  constructor(config: AppConfig) {
    this.ttlMs = config.cache.publicTtlMs;
    this.staleMs = config.cache.staleIfError * 1000;
    this.entries =
      this.ttlMs > 0 && config.cache.publicMaxBytes > 0
        ? new LRUCache<string, Entry<unknown>>({
            maxSize: config.cache.publicMaxBytes,
            sizeCalculation: (entry) => Math.max(1, entry.bytes),
            // Kept past freshness only as the stale-on-error copy.
            ttl: Math.max(this.ttlMs, this.staleMs),
            // A replaced entry keeps its key; any other removal leaves its group too.
            dispose: (_value, key, reason) => {
              if (reason !== 'set') this.groups.get(groupOf(key))?.delete(key);
            },
          })
        : null;
  }

  get enabled(): boolean {
    return this.entries !== null;
  }

  /**
   * The value for `key`: from the cache while fresh, else from `load` (one call for all
   * concurrent misses). `sizeOf` is the entry's weight in bytes.
   */
  async get<T>(
    key: string,
    load: () => Promise<T>,
    sizeOf: (value: T) => number,
  ): Promise<CacheHit<T>> {
    if (!this.entries) return { value: await load(), stale: false, ageSeconds: 0 };
    const now = Date.now();
    const cached = this.entries.get(key) as Entry<T> | undefined;
    if (cached && now - cached.at < this.ttlMs) {
      // Refresh ahead: in the second half of its life a hot entry is re-read in the background,
      // so no request waits for it; the served copy is still never older than the TTL.
      if (now - cached.at >= this.ttlMs / 2)
        this.loadOnce(key, load, sizeOf, now).catch(() => undefined);
      return { value: cached.value, stale: false, ageSeconds: age(cached, now) };
    }
    try {
      return { value: await this.loadOnce(key, load, sizeOf, now), stale: false, ageSeconds: 0 };
    } catch (error) {
      if (cached && isDatabaseUnavailable(error) && now - cached.at <= this.staleMs)
        return { value: cached.value, stale: true, ageSeconds: age(cached, now) };
      throw error;
    }
  }

  /**
   * The cached value for `key` if it is fresh and no refresh is due (first half of its life),
   * else undefined: the question of a fast path that answers hits without the rest of the
   * request pipeline and leaves everything else (misses, refresh-ahead, stale-on-error) to `get`.
   */
  peekFresh<T>(key: string): CacheHit<T> | undefined {
    const cached = this.entries?.get(key) as Entry<T> | undefined;
    if (!cached) return undefined;
    const now = Date.now();
    if (now - cached.at >= this.ttlMs / 2) return undefined;
    return { value: cached.value, stale: false, ageSeconds: age(cached, now) };
  }

  /**
   * Drops `keys` and every key of `groups` (a key's group is the part before its first `:`),
   * with any read of them still running: its result is not stored, and the next request starts
   * a read of its own. A pod calls it right after it writes what those keys show, so it reads
   * its own writes at once; other pods are bounded by the TTL as before. Costs the number of
   * keys named plus the entries of those groups, never a scan of the cache.
   */
  evict(keys: readonly string[], groups: readonly string[] = []): void {
    const doomed = new Set(keys);
    for (const group of groups) for (const key of this.groups.get(group) ?? []) doomed.add(key);
    for (const key of doomed) {
      this.entries?.delete(key);
      const running = this.inflight.get(key);
      if (!running) continue;
      running.evicted = true;
      this.inflight.delete(key);
    }
  }

  /**
   * The read for a request that arrived at `now`: one already running is shared only if it began
   * less than the TTL before `now`, the same bound as for a cached copy. A read slower than the
   * TTL (a struggling database) must not be shared with requests that arrive later: one arriving
   * after a CDN purge (settle delay after the write) would get data read before the write, and
   * the edge would keep it. Those requests share one follow-up read, started when the running
   * one ends (so it begins after they arrived): still one read at a time per key, so a slow
   * database is not handed more concurrent reads than before.
   */
  private loadOnce<T>(
    key: string,
    load: () => Promise<T>,
    sizeOf: (value: T) => number,
    now: number,
  ): Promise<T> {
    const running = this.inflight.get(key);
    if (!running) return this.startRead(key, load, sizeOf).value as Promise<T>;
    if (now - running.at < this.ttlMs) return running.value as Promise<T>;
    running.next ??= running.value.then(
      () => this.startRead(key, load, sizeOf).value,
      () => this.startRead(key, load, sizeOf).value,
    );
    return running.next as Promise<T>;
  }

  private startRead<T>(key: string, load: () => Promise<T>, sizeOf: (value: T) => number): Flight {
    // The entry's age counts from when the read began: the data may reflect any moment after it.
    const at = Date.now();
    const flight: Flight = {
      at,
      value: load()
        .then((value) => {
          // A read that began earlier but finished later must not replace a newer copy, and one
          // that an eviction overtook may hold what the write changed.
          const current = this.entries?.peek(key);
          if (!flight.evicted && (!current || current.at <= at)) this.store(key, value, at, sizeOf);
          return value;
        })
        .finally(() => {
          if (this.inflight.get(key) === flight) this.inflight.delete(key);
        }),
    };
    this.inflight.set(key, flight);
    return flight;
  }

  private store<T>(key: string, value: T, at: number, sizeOf: (value: T) => number): void {
    if (!this.entries) return;
    this.entries.set(key, { value, at, bytes: sizeOf(value) + key.length });
    // Only if it was kept (an entry larger than the whole cache is not).
    if (!this.entries.has(key)) return;
    const group = groupOf(key);
    let keys = this.groups.get(group);
    if (!keys) this.groups.set(group, (keys = new Set()));
    keys.add(key);
  }
}

const groupOf = (key: string): string => {
  const colon = key.indexOf(':');
  return colon === -1 ? key : key.slice(0, colon);
};

interface Flight {
  /** When the database read began. */
  at: number;
  /** Overtaken by an eviction: its result is handed to its waiters but not stored. */
  evicted?: boolean;
  value: Promise<unknown>;
  /** The follow-up read shared by requests that arrived too late to share this one. */
  next?: Promise<unknown>;
}

const age = (entry: Entry<unknown>, now: number): number => Math.floor((now - entry.at) / 1000);
