import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import request from 'supertest';
import {
  PUBLIC_ROUTE,
  REQUIRED_ROLE,
  type RoleRequirement,
} from '../src/core/auth/require-role.decorator';
import { type Role, roleIncludes, ROLES } from '../src/core/auth/roles';
import { startApp, type TestApp } from './support/app';
import { staffTokens, type StaffToken } from './support/identities';

interface Route {
  method: string;
  url: string;
}

const join = (...parts: string[]) =>
  `/${parts.join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');

/** What each Nest handler declares, by `METHOD /path` as Fastify registers it. */
function declaredRequirements(
  t: TestApp,
): Map<string, { role?: RoleRequirement; public: boolean }> {
  const reflector = new Reflector();
  const out = new Map<string, { role?: RoleRequirement; public: boolean }>();
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as { prototype: object } | null;
      if (!controller) continue;
      const base = (Reflect.getMetadata(PATH_METADATA, controller) as string) ?? '';
      for (const key of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[key];
        if (typeof handler !== 'function' || key === 'constructor') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue;
        const targets = [handler, controller as unknown as () => void];
        out.set(`${RequestMethod[method]} ${join(base, path)}`, {
          role: reflector.getAllAndOverride<RoleRequirement>(REQUIRED_ROLE, targets),
          public: Boolean(reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)),
        });
      }
    }
  }
  return out;
}

function concrete(url: string): string {
  return url
    .replace(':eventId', randomUUID())
    .replace(':revision', '1')
    .replace(':date', '2027-01-01')
    .replace(/:[A-Za-z]+/g, () => new Types.ObjectId().toHexString());
}

/** Writes of published state: publishing, going offline, restoring, redirects, purging the CDN. */
const PUBLICATION = /\/(publish|unpublish|archive|restore)$|\/redirects\/|\/cache\/invalidations/;
const ADMIN_ONLY = /^\/admin\/v1\/(tokens|audit)\b/;

describe('every admin route, from the registered route table', () => {
  let t: TestApp;
  let tokens: Record<Role, StaffToken>;
  const routes: Route[] = [];
  let admin: (Route & { requirement: RoleRequirement })[] = [];

  beforeAll(async () => {
    t = await startApp(
      { AUTH_FAILURES_PER_MINUTE: '10000', ADMIN_WRITES_PER_MINUTE: '10000' },
      undefined,
      {
        beforeInit: (app) =>
          app
            .getHttpAdapter()
            .getInstance()
            .addHook('onRoute', (r) => {
              for (const method of [r.method].flat()) routes.push({ method, url: r.url });
            }),
      },
    );
    tokens = await staffTokens(t.app);
    const declared = declaredRequirements(t);
    admin = routes
      .filter((r) => r.url.startsWith('/admin') && r.method !== 'HEAD')
      .map((r) => {
        const d = declared.get(`${r.method} ${r.url}`);
        // Deny by default is backed by an explicit declaration on every route.
        if (!d?.role) throw new Error(`${r.method} ${r.url} declares no role`);
        if (d.public) throw new Error(`${r.method} ${r.url} is marked public`);
        return { ...r, requirement: d.role };
      });
  });
  afterAll(() => t.close());

  it('finds the admin routes in the table (the walk is not vacuous)', () => {
    expect(admin.length).toBeGreaterThanOrEqual(25);
    expect(admin.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining([
        'POST /admin/v1/pages/:id/publish',
        'DELETE /admin/v1/tokens/:id',
        'GET /admin/v1/audit',
        'GET /admin/v1/logs',
      ]),
    );
  });

  it('declares roles that follow the policy: viewer can’t write, editor can’t publish, publisher can’t manage tokens', () => {
    for (const r of admin) {
      const { role, elevated } = r.requirement;
      const name = `${r.method} ${r.url}`;
      if (ADMIN_ONLY.test(r.url)) expect({ name, role }).toEqual({ name, role: 'admin' });
      else if (r.method === 'GET') expect({ name, role }).toEqual({ name, role: 'viewer' });
      else if (PUBLICATION.test(r.url))
        expect({ name, ok: roleIncludes(role, 'publisher') }).toEqual({ name, ok: true });
      else expect({ name, ok: roleIncludes(role, 'editor') }).toEqual({ name, ok: true });
      if (r.url.includes('/schedule') && r.method !== 'GET')
        expect({ name, elevated }).toEqual({
          name,
          elevated: { query: 'live', role: 'publisher' },
        });
    }
  });

  it('refuses every admin route without credentials (401)', async () => {
    for (const r of admin) {
      const res = await request(t.app.getHttpServer())
        [r.method.toLowerCase() as 'get'](concrete(r.url))
        .send({});
      expect({ route: `${r.method} ${r.url}`, status: res.status }).toEqual({
        route: `${r.method} ${r.url}`,
        status: 401,
      });
    }
  });

  it('answers 403 exactly to the roles below what each route demands, ?live=true included', async () => {
    const results: string[] = [];
    const expected: string[] = [];
    for (const r of admin) {
      const variants: [string, Role][] = [[concrete(r.url), r.requirement.role]];
      if (r.requirement.elevated)
        variants.push([
          `${concrete(r.url)}?${r.requirement.elevated.query}=true`,
          r.requirement.elevated.role,
        ]);
      for (const [url, needed] of variants)
        for (const role of ROLES) {
          const res = await request(t.app.getHttpServer())
            [r.method.toLowerCase() as 'get'](url)
            .set(tokens[role].auth)
            .set('If-Match', '"1"')
            .send({});
          const label = `${r.method} ${url.replace(/[0-9a-f-]{24,36}/g, ':x')} as ${role}`;
          results.push(
            `${label}: ${res.status === 403 ? 403 : res.status === 401 ? 401 : 'allowed'}`,
          );
          expected.push(`${label}: ${roleIncludes(role, needed) ? 'allowed' : 403}`);
        }
    }
    expect(results).toEqual(expected);
  });
});
