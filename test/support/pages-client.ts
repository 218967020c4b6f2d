import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { auth } from './app';
import { newPage } from './factories';

/** Small admin-API helpers so tests read as the behaviour they prove. */
export function pagesClient(app: NestFastifyApplication) {
  const http = () => request(app.getHttpServer());
  return {
    http,
    async create(overrides: Record<string, unknown> = {}) {
      const res = await http()
        .post('/admin/v1/pages')
        .set(auth)
        .send(newPage(overrides))
        .expect(201);
      return res.body as { id: string; slug: string; version: number; status: string };
    },
    async action(id: string, action: 'publish' | 'unpublish' | 'archive', version: number) {
      const res = await http()
        .post(`/admin/v1/pages/${id}/${action}`)
        .set(auth)
        .set('If-Match', `"${version}"`)
        .expect(200);
      return res.body as { id: string; slug: string; version: number; status: string };
    },
    async createPublished(overrides: Record<string, unknown> = {}) {
      const page = await this.create(overrides);
      return this.action(page.id, 'publish', page.version);
    },
  };
}
