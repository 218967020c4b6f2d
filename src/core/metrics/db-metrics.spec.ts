import { EventEmitter } from 'node:events';
import { register } from 'prom-client';
import { collectionOf, DbCommandMetrics, OTHER } from './db-metrics';

async function series() {
  const metric = await register.getSingleMetric('db_operation_duration_seconds')!.get();
  return metric.values.filter((v) => (v as { metricName?: string }).metricName?.endsWith('_count'));
}

describe('collectionOf', () => {
  it('reads the collection of CRUD commands, getMore and database-level commands', () => {
    expect(collectionOf({ requestId: 1, commandName: 'find', command: { find: 'pages' } })).toBe(
      'pages',
    );
    expect(
      collectionOf({
        requestId: 2,
        commandName: 'getMore',
        command: { getMore: 123n, collection: 'page_revisions' },
      }),
    ).toBe('page_revisions');
    expect(collectionOf({ requestId: 3, commandName: 'ping', command: { ping: 1 } })).toBe('');
    expect(
      collectionOf({ requestId: 4, commandName: 'aggregate', command: { aggregate: 1 } }),
    ).toBe('');
  });
});

describe('DbCommandMetrics', () => {
  beforeEach(() => register.resetMetrics());

  it('times succeeded and failed commands by command, collection and outcome', async () => {
    const client = new EventEmitter();
    const detach = new DbCommandMetrics().attach(client);
    client.emit('commandStarted', {
      requestId: 1,
      commandName: 'find',
      command: { find: 'pages' },
    });
    client.emit('commandSucceeded', { requestId: 1, commandName: 'find', duration: 4 });
    client.emit('commandStarted', {
      requestId: 2,
      commandName: 'update',
      command: { update: 'pages' },
    });
    client.emit('commandFailed', { requestId: 2, commandName: 'update', duration: 20 });

    const counts = await series();
    expect(counts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          labels: { command: 'find', collection: 'pages', outcome: 'success' },
          value: 1,
        }),
        expect.objectContaining({
          labels: { command: 'update', collection: 'pages', outcome: 'failure' },
          value: 1,
        }),
      ]),
    );
    detach();
    expect(client.listenerCount('commandStarted')).toBe(0);
  });

  it('keeps labels bounded: odd names and collections beyond the cap become "other"', async () => {
    const metrics = new DbCommandMetrics();
    const client = new EventEmitter();
    metrics.attach(client);
    for (let i = 0; i < 70; i += 1) {
      client.emit('commandStarted', {
        requestId: i,
        commandName: 'find',
        command: { find: `c${i}` },
      });
      client.emit('commandSucceeded', { requestId: i, commandName: 'find', duration: 1 });
    }
    client.emit('commandStarted', {
      requestId: 100,
      commandName: 'find',
      command: { find: 'x'.repeat(200) },
    });
    client.emit('commandSucceeded', { requestId: 100, commandName: 'find', duration: 1 });
    client.emit('commandSucceeded', { requestId: 101, commandName: 'wé ird', duration: 1 });

    const labels = (await series()).map((v) => v.labels);
    const collections = new Set(labels.map((l) => l.collection));
    expect(collections.size).toBeLessThanOrEqual(64 + 2); // the cap, OTHER and ''
    expect(collections).toContain(OTHER);
    expect(labels).toContainEqual({ command: OTHER, collection: '', outcome: 'success' });
  });
});
