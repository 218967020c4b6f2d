import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { auth } from './app';
import { eventually } from './cloudfront-moto';

/** Worker settings that keep e2e and fault tests short: small windows, leases and backoff. */
export function fastWorkerEnv(
  distributionId: string,
  endpoint: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    CLOUDFRONT_DISTRIBUTION_ID: distributionId,
    CLOUDFRONT_ENDPOINT: endpoint,
    CDN_INVALIDATION_WORKER_ENABLED: 'true',
    CDN_INVALIDATION_POLL_MS: '50',
    CDN_INVALIDATION_BATCH_WINDOW_MS: '100',
    CDN_INVALIDATION_LEASE_MS: '3000',
    CLOUDFRONT_REQUEST_TIMEOUT_MS: '1000',
    CDN_INVALIDATION_BACKOFF_BASE_MS: '50',
    CDN_INVALIDATION_BACKOFF_MAX_MS: '400',
    CDN_INVALIDATION_SEND_INTERVAL_MS: '0',
    CDN_INVALIDATION_STATUS_POLL_MS: '50',
    ...extra,
  };
}

export interface InvalidationView {
  id: string;
  status: string;
  source: string;
  reason: string;
  pageId?: string;
  requestId?: string;
  paths: string[];
  attempts: number;
  lastError: string | null;
  cloudFrontId: string | null;
  batchId: string | null;
}

/** Admin-API helpers for invalidations. */
export function invalidationsClient(app: NestFastifyApplication) {
  const http = () => request(app.getHttpServer());
  const client = {
    async list(query: Record<string, string | number> = {}): Promise<InvalidationView[]> {
      const items: InvalidationView[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await http()
          .get('/admin/v1/cache/invalidations')
          .query({ limit: 100, ...query, ...(cursor ? { cursor } : {}) })
          .set(auth)
          .expect(200);
        items.push(...(res.body.items as InvalidationView[]));
        cursor = res.body.nextCursor as string | null;
      } while (cursor);
      return items;
    },
    async byRequestId(requestId: string): Promise<InvalidationView | undefined> {
      return (await client.list()).find((i) => i.requestId === requestId);
    },
    async get(id: string): Promise<InvalidationView> {
      const res = await http().get(`/admin/v1/cache/invalidations/${id}`).set(auth).expect(200);
      return res.body as InvalidationView;
    },
    /** Waits until the invalidation caused by `requestId` reaches `status`. */
    async settled(requestId: string, status = 'completed'): Promise<InvalidationView> {
      return eventually(
        async () => {
          const found = await client.byRequestId(requestId);
          return found?.status === status ? found : undefined;
        },
        { what: `invalidation of request ${requestId} to be ${status}` },
      );
    },
  };
  return client;
}
