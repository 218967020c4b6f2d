import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import request from 'supertest';
import { startApp, type TestApp } from './support/app';
import { bearer } from './support/identities';

const CLI = resolve(__dirname, '../dist/cli.js');

/** The CLI of the built image, against the database a running app uses. */
function cli(t: TestApp, ...args: string[]) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  return spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, MONGODB_URI: t.config.mongo.uri, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('node dist/cli.js tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ ADMIN_TOKEN_ENABLED: 'false' });
  });
  afterAll(() => t.close());

  it('creates a token against the configured database, printing only the secret on stdout', async () => {
    const made = cli(t, 'tokens', 'create', '--name', 'break glass', '--role', 'admin');
    expect(made.status).toBe(0);
    const secret = made.stdout.trim();
    expect(secret).toMatch(/^sat_[A-Za-z0-9_-]{43}$/);
    const http = () => request(t.app.getHttpServer());
    const tokens = await http().get('/admin/v1/tokens').set(bearer(secret)).expect(200);
    const [token] = tokens.body.items;
    expect(token).toMatchObject({ name: 'break glass', role: 'admin', createdBy: { kind: 'cli' } });

    const revoked = cli(t, 'tokens', 'revoke', '--id', token.id);
    expect(revoked.status).toBe(0);
    await new Promise((r) => setTimeout(r, t.config.auth.tokenCacheTtlMs + 100));
    await http().get('/admin/v1/tokens').set(bearer(secret)).expect(401);
  });

  it('refuses bad arguments with usage and exit code 64', () => {
    const bad = cli(t, 'tokens', 'create', '--name', 'x', '--role', 'owner');
    expect(bad.status).toBe(64);
    expect(bad.stderr).toMatch(/--role must be one of/);
    expect(bad.stdout).toBe('');
    expect(cli(t, 'tokens', 'frobnicate').status).toBe(64);
    // The API's rules: an ASCII name of at most 100 characters, an instant with its offset.
    for (const args of [
      ['--name', 'Zoë laptop', '--role', 'viewer'],
      ['--name', 'x'.repeat(101), '--role', 'viewer'],
      ['--name', 'ok', '--role', 'viewer', '--expires-at', '2099-01-01T00:00'],
      ['--name', 'ok', '--role', 'viewer', '--expires-at', 'next week'],
    ]) {
      const refused = cli(t, 'tokens', 'create', ...args);
      expect([args.join(' '), refused.status, refused.stdout]).toEqual([args.join(' '), 64, '']);
    }
  });
});
