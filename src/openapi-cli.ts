import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createApp } from './app.factory';
import { AppConfig } from './core/config/app-config';
import { createRootLogger } from './core/logging/root-logger';
import { buildOpenApiDocument } from './core/openapi/openapi';

/**
 * Writes (or checks) the committed OpenAPI file without a database:
 *   node dist/openapi-cli.js write|check [file]
 */
async function main(): Promise<void> {
  const [mode = 'write', file = 'docs/openapi.json'] = process.argv.slice(2);
  const config = AppConfig.fromEnvironment({
    MONGODB_URI: 'mongodb://127.0.0.1:1/openapi',
    ADMIN_TOKEN: 'openapi-generation-only',
    LOG_LEVEL: 'silent',
  });
  const app = await createApp(config, { preview: true, logger: createRootLogger(config) });
  const spec = `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  const path = resolve(file);
  if (mode === 'check') {
    let committed: string;
    try {
      committed = readFileSync(path, 'utf8');
    } catch {
      committed = '';
    }
    if (committed !== spec) {
      process.stderr.write(`${file} is stale: run \`npm run openapi\` and commit the result.\n`);
      process.exit(1);
    }
    process.stdout.write(`${file} is up to date.\n`);
  } else {
    writeFileSync(path, spec);
    process.stdout.write(`wrote ${file}\n`);
  }
  process.exit(0);
}

void main();
