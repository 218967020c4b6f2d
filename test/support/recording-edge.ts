import type { Server } from 'node:http';
import request from 'supertest';
import { motoInvalidations } from './cloudfront-moto';

export interface EdgeFill {
  at: number;
  path: string;
  etag: string;
}

interface Stored {
  etag: string;
  body: string;
  until: number;
}

/**
 * A stand-in for one CloudFront edge location in front of the service: caches 200s for their
 * `s-maxage`, and purges when CloudFront (moto) shows a new invalidation, as the real edge does
 * once an invalidation reaches it (wildcards match by prefix, others exactly). It records every
 * fill (origin fetch) and every purge, so a test can ask what the edge held after a purge.
 */
export class RecordingEdge {
  readonly fills: EdgeFill[] = [];
  readonly purges: { at: number; paths: string[] }[] = [];
  private readonly cache = new Map<string, Stored>();
  private readonly seen = new Set<string>();
  private watching: NodeJS.Timeout | null = null;

  constructor(
    private readonly origin: Server,
    private readonly distributionId: string,
  ) {}

  /** A viewer request through this edge. */
  async get(path: string): Promise<{ etag: string; hit: boolean }> {
    const stored = this.cache.get(path);
    if (stored && stored.until > Date.now()) return { etag: stored.etag, hit: true };
    const res = await request(this.origin).get(path);
    const etag = String(res.headers.etag ?? '');
    if (res.status === 200) {
      const sMaxAge = /s-maxage=(\d+)/.exec(String(res.headers['cache-control'] ?? ''));
      if (sMaxAge && Number(sMaxAge[1]) > 0)
        this.cache.set(path, {
          etag,
          body: res.text,
          until: Date.now() + Number(sMaxAge[1]) * 1000,
        });
      this.fills.push({ at: Date.now(), path, etag });
    }
    return { etag, hit: false };
  }

  /** Starts following CloudFront's invalidations of the distribution (every `everyMs`). */
  watch(everyMs = 25): void {
    const poll = async () => {
      try {
        for (const inv of await motoInvalidations(this.distributionId)) {
          if (this.seen.has(inv.id)) continue;
          this.seen.add(inv.id);
          this.purge(inv.paths);
        }
      } finally {
        if (this.watching) this.watching = setTimeout(() => void poll(), everyMs);
      }
    };
    this.watching = setTimeout(() => void poll(), 0);
  }

  stop(): void {
    if (this.watching) clearTimeout(this.watching);
    this.watching = null;
  }

  private purge(paths: string[]): void {
    for (const key of [...this.cache.keys()])
      if (paths.some((p) => (p.endsWith('*') ? key.startsWith(p.slice(0, -1)) : key === p)))
        this.cache.delete(key);
    this.purges.push({ at: Date.now(), paths });
  }
}
