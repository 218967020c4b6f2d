import type { Client } from '@opensearch-project/opensearch';
import { errors } from '@opensearch-project/opensearch';
import type { AppConfig } from '../../core/config/app-config';
import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import type { BulkOutcome, LogSink } from '../../core/logging/log-shipper';
import { toLogDocument, type LogDocument } from './log-document';
import { buildIndexTemplate, templateName, TEMPLATE_VERSION } from './log-index-template';
import { createOpenSearchClient, type AwsCredentials } from './opensearch.client';

export interface SearchHit {
  source: Record<string, unknown>;
  sort: unknown[];
}

export interface SearchResult {
  hits: SearchHit[];
  total: { value: number; relation: 'eq' | 'gte' };
}

export interface HistogramBucket {
  key: number;
  doc_count: number;
  levels: { buckets: { key: string; doc_count: number }[] };
}

export interface HistogramResult {
  buckets: HistogramBucket[];
  total: number;
}

export type TemplateInstallResult = 'installed' | 'upgraded' | 'current' | 'newer-installed';

type Body = Record<string, unknown>;

/**
 * The one place that speaks to OpenSearch: the log data stream (bulk writes for the shipper,
 * searches and histograms for the admin API), its index template, and a ping for readiness.
 * Every search targets the configured stream only; callers pass filters, never an index.
 */
export class LogRepository implements LogSink {
  readonly stream: string;
  private templateReady: Promise<TemplateInstallResult> | null = null;

  constructor(
    private readonly client: Client | null,
    stream: string,
  ) {
    this.stream = stream;
  }

  static fromConfig(
    config: Pick<AppConfig, 'openSearch'>,
    getCredentials?: () => Promise<AwsCredentials>,
  ): LogRepository {
    const { url } = config.openSearch;
    const client = url
      ? createOpenSearchClient({ ...config.openSearch, url }, getCredentials)
      : null;
    return new LogRepository(client, config.openSearch.logIndex);
  }

  get configured(): boolean {
    return this.client !== null;
  }

  /**
   * Writes pino lines to the data stream (op_type create, which data streams require).
   * Per-item 429/5xx come back for a retry; other per-item failures are rejected for good.
   */
  async bulk(lines: string[]): Promise<BulkOutcome> {
    const client = this.require();
    // A write before the template exists would create a plain index with guessed mappings.
    await this.ensureTemplateOnce();
    const docs: { line: string; doc: LogDocument }[] = [];
    let rejected = 0;
    for (const line of lines) {
      const doc = toLogDocument(line);
      if (doc) docs.push({ line, doc });
      else rejected += 1;
    }
    if (docs.length === 0) return { retry: [], rejected };
    const { body } = await client.bulk({
      index: this.stream,
      body: docs.flatMap(({ doc }) => [{ create: {} }, doc]),
    });
    const retry: string[] = [];
    if (body.errors) {
      body.items.forEach((item, i) => {
        const status = Object.values(item)[0]?.status ?? 500;
        if (status < 300) return;
        if (status === 429 || status >= 500) retry.push(docs[i].line);
        else rejected += 1;
      });
    }
    return { retry, rejected };
  }

  async search(body: Body): Promise<SearchResult> {
    const response = await this.guard(() =>
      this.require().search({ index: this.stream, body, ignore_unavailable: true }),
    );
    if (!response) return { hits: [], total: { value: 0, relation: 'eq' } };
    const { hits } = response.body;
    const total = hits.total;
    return {
      hits: hits.hits.map((hit) => ({
        source: (hit._source ?? {}) as Record<string, unknown>,
        sort: hit.sort ?? [],
      })),
      total:
        typeof total === 'number'
          ? { value: total, relation: 'eq' }
          : { value: total?.value ?? 0, relation: total?.relation === 'gte' ? 'gte' : 'eq' },
    };
  }

  async histogram(body: Body): Promise<HistogramResult> {
    const response = await this.guard(() =>
      this.require().search({ index: this.stream, body, ignore_unavailable: true }),
    );
    if (!response) return { buckets: [], total: 0 };
    const aggregations = response.body.aggregations as
      { timeline?: { buckets: HistogramBucket[] } } | undefined;
    const total = response.body.hits.total;
    return {
      buckets: aggregations?.timeline?.buckets ?? [],
      total: typeof total === 'number' ? total : (total?.value ?? 0),
    };
  }

  /** Cluster reachability for readiness; never throws. */
  async ping(): Promise<{ up: boolean; message?: string }> {
    if (!this.client) return { up: false, message: 'OPENSEARCH_URL is not set' };
    try {
      const { body } = await this.client.cluster.health(
        {},
        { requestTimeout: 1000, maxRetries: 0 },
      );
      return { up: true, message: `cluster status ${body.status}` };
    } catch (error) {
      return { up: false, message: describe(error) };
    }
  }

  /**
   * Installs the index template unless the same or a newer version is there, then rolls the
   * stream over if its write index predates this version: the new mapping applies to new records,
   * while older backing indices keep their data and stay searchable through the stream.
   */
  async ensureTemplate(): Promise<TemplateInstallResult> {
    const client = this.require();
    const name = templateName(this.stream);
    const existing = await client.indices.getIndexTemplate({ name }, { ignore: [404] });
    const installed = existing.body.index_templates?.[0]?.index_template.version;
    if (typeof installed === 'number' && installed > TEMPLATE_VERSION) return 'newer-installed';
    let result: TemplateInstallResult = 'current';
    if (installed !== TEMPLATE_VERSION) {
      await client.indices.putIndexTemplate({
        name,
        body: buildIndexTemplate(this.stream),
      });
      result = installed === undefined ? 'installed' : 'upgraded';
    }
    // Checked even when the template is current: a pod may have died between put and rollover.
    if (await this.writeIndexIsStale()) await client.indices.rollover({ alias: this.stream });
    return result;
  }

  /** ensureTemplate once per instance, retried on the next call after a failure. */
  ensureTemplateOnce(): Promise<TemplateInstallResult> {
    this.templateReady ??= this.ensureTemplate().catch((error: unknown) => {
      this.templateReady = null;
      throw error;
    });
    return this.templateReady;
  }

  private async writeIndexIsStale(): Promise<boolean> {
    const client = this.require();
    const stream = await client.indices.getDataStream({ name: this.stream }, { ignore: [404] });
    const indices = stream.body.data_streams?.[0]?.indices ?? [];
    const writeIndex = indices[indices.length - 1]?.index_name;
    if (!writeIndex) return false;
    const mapping = await client.indices.getMapping({ index: writeIndex });
    const meta = mapping.body[writeIndex]?.mappings?._meta as
      { template_version?: unknown } | undefined;
    const version = typeof meta?.template_version === 'number' ? meta.template_version : 0;
    return version < TEMPLATE_VERSION;
  }

  async close(): Promise<void> {
    await this.client?.close();
  }

  private require(): Client {
    if (!this.client) {
      throw new DomainError(
        ErrorCode.LogSearchUnavailable,
        'Log search is not configured: OPENSEARCH_URL is not set',
      );
    }
    return this.client;
  }

  /** Maps an unreachable or failing cluster to a 503; a missing stream (nothing logged yet) to null. */
  private async guard<T>(call: () => Promise<T>): Promise<T | null> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof DomainError) throw error;
      if (error instanceof errors.ResponseError && error.statusCode === 404) return null;
      if (error instanceof errors.ResponseError && error.statusCode === 400) {
        throw new DomainError(
          ErrorCode.BadRequest,
          `Log search refused the query: ${describe(error)}`,
        );
      }
      throw new DomainError(
        ErrorCode.LogSearchUnavailable,
        `Log search is unavailable: OpenSearch did not answer (${describe(error)})`,
      );
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof errors.ResponseError) {
    const reason = (error.body as { error?: { reason?: string } } | undefined)?.error?.reason;
    return `HTTP ${error.statusCode}${reason ? `: ${reason}` : ''}`;
  }
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
