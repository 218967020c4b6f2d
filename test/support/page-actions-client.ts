import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { auth } from './app';

export interface ActionView {
  id: string;
  pageId: string;
  kind: string;
  at: string;
  status: string;
  source: string;
  reason: string | null;
  approvedVersion: number | null;
  pageVersion: number | null;
}

/** Admin-API helpers for scheduled actions and sponsorship terms. */
export function pageActionsClient(app: NestFastifyApplication) {
  const http = () => request(app.getHttpServer());
  return {
    http,
    async setTerm(id: string, version: number, sponsorship: unknown, expect = 200) {
      return http()
        .patch(`/admin/v1/pages/${id}`)
        .set(auth)
        .set('If-Match', `"${version}"`)
        .send({ sponsorship })
        .expect(expect);
    },
    async schedule(id: string, body: Record<string, unknown>, expect = 201) {
      return http().post(`/admin/v1/pages/${id}/actions`).set(auth).send(body).expect(expect);
    },
    async ofPage(id: string): Promise<ActionView[]> {
      const res = await http()
        .get(`/admin/v1/pages/${id}/actions`)
        .query({ limit: 100 })
        .set(auth)
        .expect(200);
      return res.body.items as ActionView[];
    },
    async get(actionId: string): Promise<ActionView> {
      const res = await http().get(`/admin/v1/page-actions/${actionId}`).set(auth).expect(200);
      return res.body as ActionView;
    },
  };
}

/** An ISO-8601 instant `ms` from now (UTC, with its `Z` offset). */
export const fromNow = (ms: number): string => new Date(Date.now() + ms).toISOString();
