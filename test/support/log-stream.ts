import type { AppConfig } from '../../src/core/config/app-config';
import type { LogDocument } from '../../src/modules/log-search/log-document';
import { templateName } from '../../src/modules/log-search/log-index-template';
import { LogRepository } from '../../src/modules/log-search/log.repository';
import { createOpenSearchClient } from '../../src/modules/log-search/opensearch.client';

type OpenSearchConfig = Pick<AppConfig, 'openSearch'>;

function clientFor(config: OpenSearchConfig) {
  const { url } = config.openSearch;
  if (!url) throw new Error('OPENSEARCH_URL is not set: run the e2e tests through `npm test`');
  return createOpenSearchClient({ ...config.openSearch, url });
}

/** Indexes ready-made documents into the configured stream (template first) and refreshes. */
export async function seedLogs(config: OpenSearchConfig, docs: LogDocument[]): Promise<void> {
  const repo = LogRepository.fromConfig(config);
  const client = clientFor(config);
  try {
    await repo.ensureTemplate();
    const { body } = await client.bulk({
      index: config.openSearch.logIndex,
      refresh: true,
      body: docs.flatMap((doc) => [{ create: {} }, doc]),
    });
    if (body.errors) throw new Error(`bulk indexing failed: ${JSON.stringify(body.items[0])}`);
  } finally {
    await repo.close();
    await client.close();
  }
}

/** Deletes the configured data stream and its template (test clean-up). */
export async function deleteLogStream(config: OpenSearchConfig): Promise<void> {
  const client = clientFor(config);
  const stream = config.openSearch.logIndex;
  try {
    await client.indices.deleteDataStream({ name: stream }, { ignore: [404] });
    await client.indices.deleteIndexTemplate({ name: templateName(stream) }, { ignore: [404] });
  } finally {
    await client.close();
  }
}
