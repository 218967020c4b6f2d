import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { format, resolveConfig } from 'prettier';
import {
  describeVariables,
  renderConfigurationReference,
  stalenessMessage,
} from './core/config/configuration-reference';

/**
 * Writes (or checks) the committed configuration reference, from the schema's validators and its
 * source's comments (so it runs from the repository, after `nest build`):
 *   node dist/config-doc-cli.js write|check [file]
 */
async function main(): Promise<void> {
  const [mode = 'write', file = 'docs/configuration.md'] = process.argv.slice(2);
  const path = resolve(file);
  const source = readFileSync(
    resolve(__dirname, '../src/core/config/environment.schema.ts'),
    'utf8',
  );
  const markdown = renderConfigurationReference(describeVariables(source));
  // Laid out as `prettier --check .` (npm run lint) wants it.
  const expected = await format(markdown, {
    ...(await resolveConfig(path)),
    filepath: path,
  });
  if (mode === 'check') {
    let committed: string | undefined;
    try {
      committed = readFileSync(path, 'utf8');
    } catch {
      committed = undefined;
    }
    const stale = stalenessMessage(file, committed, expected);
    if (stale) {
      process.stderr.write(`${stale}\n`);
      process.exit(1);
    }
    process.stdout.write(`${file} is up to date.\n`);
  } else {
    writeFileSync(path, expected);
    process.stdout.write(`wrote ${file}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
