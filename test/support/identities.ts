import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import type { Role } from '../../src/core/auth/roles';
import { auth } from './app';

export const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}` });

export interface StaffToken {
  id: string;
  /** `token:<id>`: how the audit trail and the page fields name it. */
  actorId: string;
  name: string;
  role: Role;
  secret: string;
  auth: { Authorization: string };
}

/** Creates an API token through the admin API (as the bootstrap admin unless told otherwise). */
export async function createToken(
  app: NestFastifyApplication,
  role: Role,
  name = `${role}-token`,
  as: { Authorization: string } = auth,
  extra: Record<string, unknown> = {},
): Promise<StaffToken> {
  const res = await request(app.getHttpServer())
    .post('/admin/v1/tokens')
    .set(as)
    .send({ name, role, ...extra })
    .expect(201);
  const body = res.body as { id: string; token: string };
  return {
    id: body.id,
    actorId: `token:${body.id}`,
    name,
    role,
    secret: body.token,
    auth: bearer(body.token),
  };
}

/** One token per role. */
export async function staffTokens(app: NestFastifyApplication): Promise<Record<Role, StaffToken>> {
  return {
    viewer: await createToken(app, 'viewer'),
    editor: await createToken(app, 'editor'),
    publisher: await createToken(app, 'publisher'),
    admin: await createToken(app, 'admin'),
  };
}
