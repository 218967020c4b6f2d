import { levelName, newLogId, toLogDocument } from './log-document';

describe('toLogDocument', () => {
  it('maps a pino request line to the indexed fields', () => {
    const line = JSON.stringify({
      level: 30,
      time: 1748772843512,
      service: 'sponsored-agents',
      version: '0.1.0',
      hostname: 'api-7d9f',
      pid: 7,
      requestId: 'req-1',
      method: 'GET',
      route: '/v1/pages/:slug',
      url: '/v1/pages/jane',
      statusCode: 200,
      responseTimeMs: 3.25,
      msg: 'request completed',
    });
    expect(toLogDocument(line, 'id-1')).toEqual({
      '@timestamp': '2025-06-01T10:14:03.512Z',
      logId: 'id-1',
      level: 30,
      levelName: 'info',
      service: 'sponsored-agents',
      version: '0.1.0',
      hostname: 'api-7d9f',
      pid: 7,
      requestId: 'req-1',
      method: 'GET',
      route: '/v1/pages/:slug',
      url: '/v1/pages/jane',
      statusCode: 200,
      responseTimeMs: 3.25,
      msg: 'request completed',
    });
  });

  it('keeps the serialized error and names custom levels by the level below them', () => {
    const doc = toLogDocument(
      JSON.stringify({ level: 55, time: 0, err: { type: 'Error', message: 'boom', stack: 's' } }),
    );
    expect(doc).toMatchObject({ levelName: 'error', err: { type: 'Error', message: 'boom' } });
  });

  it('returns null for lines that are not JSON objects', () => {
    expect(toLogDocument('not json')).toBeNull();
    expect(toLogDocument('[1,2]')).toBeNull();
    expect(toLogDocument('null')).toBeNull();
  });

  it('falls back to now for a missing or out-of-range time', () => {
    const before = Date.now();
    const doc = toLogDocument(JSON.stringify({ level: 30, time: 1e20 }));
    expect(Date.parse(doc!['@timestamp'])).toBeGreaterThanOrEqual(before);
  });

  it('names every pino level', () => {
    expect([10, 20, 30, 40, 50, 60].map(levelName)).toEqual([
      'trace',
      'debug',
      'info',
      'warn',
      'error',
      'fatal',
    ]);
  });

  it('makes unique log ids that sort in creation order within a process', () => {
    const ids = Array.from({ length: 1000 }, () => newLogId());
    expect(new Set(ids).size).toBe(1000);
    expect([...ids].sort()).toEqual(ids);
  });
});
