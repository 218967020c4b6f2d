import { register } from 'prom-client';
import { LogShipper, type BulkOutcome, type LogShipperOptions, type LogSink } from './log-shipper';

/** A sink that records batches and answers from a script of outcomes (or errors). */
class ScriptedSink implements LogSink {
  batches: string[][] = [];
  closed = false;
  constructor(private readonly script: ((lines: string[]) => BulkOutcome | Error)[] = []) {}
  bulk(lines: string[]): Promise<BulkOutcome> {
    this.batches.push([...lines]);
    const step = this.script.shift();
    const outcome = step ? step(lines) : { retry: [], rejected: 0 };
    return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome);
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

const options: LogShipperOptions = {
  batchSize: 3,
  queueMax: 10,
  flushIntervalMs: 60_000,
  retryBaseDelayMs: 1,
  onError: () => undefined,
};

async function droppedTotal(reason: string): Promise<number> {
  const metric = await register.getSingleMetric('log_shipper_dropped_total')?.get();
  return metric?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('LogShipper', () => {
  const shippers: LogShipper[] = [];
  const make = (sink: LogSink, overrides: Partial<LogShipperOptions> = {}) => {
    const shipper = new LogShipper(sink, { ...options, ...overrides });
    shippers.push(shipper);
    return shipper;
  };
  afterEach(async () => {
    await Promise.all(shippers.splice(0).map((s) => s.close()));
  });

  it('queues writes without calling the sink until a batch is full', async () => {
    const sink = new ScriptedSink();
    const shipper = make(sink);
    shipper.write('a');
    shipper.write('b');
    expect(sink.batches).toEqual([]);
    shipper.write('c');
    await shipper.flush();
    expect(sink.batches).toEqual([['a', 'b', 'c']]);
    expect(shipper.stats()).toEqual({ queued: 0, shipped: 3, dropped: 0 });
  });

  it('sends a partial batch on the flush timer', async () => {
    const sink = new ScriptedSink();
    const shipper = make(sink, { flushIntervalMs: 10 });
    shipper.write('only');
    for (let i = 0; i < 200 && sink.batches.length === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(sink.batches).toEqual([['only']]);
  });

  it('drops and counts records beyond the queue bound instead of growing', async () => {
    const before = await droppedTotal('queue_full');
    const shipper = make(new ScriptedSink(), { batchSize: 100, queueMax: 5 });
    for (let i = 0; i < 12; i += 1) shipper.write(`line ${i}`);
    expect(shipper.stats()).toMatchObject({ queued: 5, dropped: 7 });
    expect((await droppedTotal('queue_full')) - before).toBe(7);
  });

  it('bounds the queue by bytes as well as by records', () => {
    const shipper = make(new ScriptedSink(), { batchSize: 100, queueMaxBytes: 10 });
    shipper.write('12345');
    shipper.write('12345');
    shipper.write('1');
    expect(shipper.stats()).toMatchObject({ queued: 2, dropped: 1 });
  });

  it('retries a failed bulk request and then ships the batch', async () => {
    const sink = new ScriptedSink([() => new Error('ECONNREFUSED'), () => new Error('timeout')]);
    const shipper = make(sink);
    ['a', 'b', 'c'].forEach((l) => shipper.write(l));
    await shipper.flush();
    expect(sink.batches).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
    expect(shipper.stats()).toMatchObject({ shipped: 3, dropped: 0 });
  });

  it('retries only the records refused for a transient reason and drops rejected ones', async () => {
    const sink = new ScriptedSink([() => ({ retry: ['b'], rejected: 1 })]);
    const shipper = make(sink);
    ['a', 'b', 'c'].forEach((l) => shipper.write(l));
    await shipper.flush();
    expect(sink.batches).toEqual([['a', 'b', 'c'], ['b']]);
    expect(shipper.stats()).toMatchObject({ shipped: 2, dropped: 1 });
  });

  it('drops and counts a batch once its attempts are used up', async () => {
    const before = await droppedTotal('retries_exhausted');
    const fail = () => new Error('down');
    const sink = new ScriptedSink([fail, fail, fail, fail]);
    const shipper = make(sink, { maxAttempts: 2 });
    ['a', 'b', 'c'].forEach((l) => shipper.write(l));
    await shipper.flush();
    expect(sink.batches).toHaveLength(2);
    expect(shipper.stats()).toMatchObject({ shipped: 0, dropped: 3 });
    expect((await droppedTotal('retries_exhausted')) - before).toBe(3);
  });

  it('flushes everything queued on close, then refuses new records and closes the sink', async () => {
    const sink = new ScriptedSink();
    const shipper = make(sink, { batchSize: 2 });
    ['a', 'b', 'c', 'd', 'e'].forEach((l) => shipper.write(l));
    await shipper.close();
    expect(sink.batches.flat()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(sink.closed).toBe(true);
    shipper.write('late');
    expect(shipper.stats()).toMatchObject({ queued: 0, shipped: 5, dropped: 1 });
  });

  it('gives up flushing on close after the timeout and counts what is left', async () => {
    const hang = new Promise<BulkOutcome>(() => undefined);
    const sink: LogSink = { bulk: () => hang };
    const shipper = make(sink, { batchSize: 2, closeTimeoutMs: 20 });
    ['a', 'b', 'c', 'd'].forEach((l) => shipper.write(l));
    await shipper.close();
    expect(shipper.stats()).toMatchObject({ queued: 0, dropped: 2 });
  });
});
