/**
 * The index template for the log data stream. Bump TEMPLATE_VERSION on every change: the
 * installer only writes a template that is newer than the one installed (so a pod of the previous
 * release cannot downgrade it during a rolling update) and then rolls the data stream over, so the
 * new mapping applies from the next backing index on while older ones keep their data.
 */
export const TEMPLATE_VERSION = 1;

const keyword = { type: 'keyword', ignore_above: 1024 } as const;

export const LOG_MAPPINGS = {
  // Arbitrary fields logged by the app stay in _source but are not indexed: no mapping explosion,
  // no document refused because one field was logged once as a string and once as an object.
  dynamic: false,
  // Lets the installer tell whether the stream's write index predates the current template.
  _meta: { template_version: TEMPLATE_VERSION },
  properties: {
    '@timestamp': { type: 'date' },
    logId: { type: 'keyword' },
    level: { type: 'short' },
    levelName: { type: 'keyword' },
    msg: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
    requestId: { type: 'keyword' },
    method: { type: 'keyword' },
    route: keyword,
    url: { type: 'keyword', ignore_above: 2048 },
    statusCode: { type: 'short' },
    responseTimeMs: { type: 'float' },
    err: {
      properties: {
        type: { type: 'keyword' },
        message: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
        stack: { type: 'text' },
      },
    },
    service: { type: 'keyword' },
    version: { type: 'keyword' },
    hostname: { type: 'keyword' },
    pid: { type: 'integer' },
    // Added by Fluent Bit's kubernetes filter in EKS.
    kubernetes: {
      properties: {
        pod_name: { type: 'keyword' },
        namespace_name: { type: 'keyword' },
        container_name: { type: 'keyword' },
        host: { type: 'keyword' },
      },
    },
  },
} as const;

export function templateName(stream: string): string {
  return stream;
}

export function buildIndexTemplate(stream: string) {
  return {
    // The exact stream name, no wildcard: a per-test stream never overlaps the service's template.
    index_patterns: [stream],
    data_stream: { timestamp_field: { name: '@timestamp' } },
    priority: 200,
    version: TEMPLATE_VERSION,
    _meta: { managed_by: 'sponsored-agents' },
    template: {
      settings: {
        number_of_shards: 1,
        // A value of the wrong type loses that field, not the whole record.
        'index.mapping.ignore_malformed': true,
        'index.refresh_interval': '1s',
      },
      mappings: LOG_MAPPINGS,
    },
  };
}
