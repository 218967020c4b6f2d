import 'reflect-metadata';
import { AppConfig } from '../../core/config/app-config';
import { ConfigValidationError } from '../../core/config/environment.schema';
import { LogRepository } from './log.repository';

/**
 * Installs (or upgrades) the log index template once and exits, with the service's own settings:
 *   node dist/modules/log-search/log-template.cli.js
 * For a deploy hook that must run before Fluent Bit's first write, which would otherwise create
 * a plain index with guessed mappings under the data stream's name.
 */
async function main(): Promise<number> {
  let config: AppConfig;
  try {
    config = AppConfig.fromEnvironment();
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 78; // EX_CONFIG
  }
  const logs = LogRepository.fromConfig(config);
  if (!logs.configured) {
    process.stderr.write('OPENSEARCH_URL is not set\n');
    return 78;
  }
  try {
    const result = await logs.ensureTemplate();
    process.stdout.write(`index template for data stream ${logs.stream}: ${result}\n`);
    return 0;
  } finally {
    await logs.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
