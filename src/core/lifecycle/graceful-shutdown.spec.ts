import pino from 'pino';
import { Writable } from 'node:stream';
import { GracefulShutdown } from './graceful-shutdown';
import { ShutdownState } from './shutdown-state';

function setup(app: { close(): Promise<void> }, drainDelayMs = 20, graceMs = 5000) {
  const lines: Array<{ msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const state = new ShutdownState();
  const codes: number[] = [];
  let exited!: (code: number) => void;
  const exitedWith = new Promise<number>((resolve) => (exited = resolve));
  const shutdown = new GracefulShutdown(app, {
    state,
    logger: pino({ level: 'info' }, sink),
    drainDelayMs,
    graceMs,
    signals: ['SIGUSR2'],
    exit: (code) => {
      codes.push(code);
      exited(code);
    },
  });
  return { shutdown, state, codes, exitedWith, lines };
}

describe('GracefulShutdown', () => {
  it('fails readiness at once, closes only after the drain delay, then exits 0', async () => {
    const events: string[] = [];
    const app = {
      close: jest.fn(async () => {
        events.push('close');
      }),
    };
    const { shutdown, state, codes, lines } = setup(app);

    const done = shutdown.shutdown('SIGTERM');
    expect(state.draining).toBe(true);
    expect(app.close).not.toHaveBeenCalled();
    await done;

    expect(app.close).toHaveBeenCalledTimes(1);
    expect(codes).toEqual([0]);
    expect(lines.map((l) => l.msg)).toEqual([
      'shutdown: readiness failing, draining',
      'shutdown: closing the server and stopping workers',
      'shutdown: complete',
    ]);
  });

  it('exits 1 when closing fails', async () => {
    const { shutdown, codes, lines } = setup({ close: () => Promise.reject(new Error('boom')) });
    await shutdown.shutdown('SIGTERM');
    expect(codes).toEqual([1]);
    expect(lines.at(-1)?.msg).toBe('shutdown: closing failed');
  });

  it('forces exit 1 when closing outlasts the grace period', async () => {
    const { shutdown, exitedWith, codes } = setup(
      { close: () => new Promise(() => undefined) },
      0,
      30,
    );
    void shutdown.shutdown('SIGTERM');
    await expect(exitedWith).resolves.toBe(1);
    expect(codes).toEqual([1]);
  });

  it('exits 1 at once on a second signal during the drain', async () => {
    const app = { close: jest.fn(() => Promise.resolve()) };
    const { shutdown, exitedWith } = setup(app, 60_000);
    void shutdown.shutdown('SIGTERM');
    void shutdown.shutdown('SIGINT');
    await expect(exitedWith).resolves.toBe(1);
    expect(app.close).not.toHaveBeenCalled();
  });

  it('starts on the installed signals and stops listening when uninstalled', async () => {
    const app = { close: jest.fn(() => Promise.resolve()) };
    const { shutdown, state, exitedWith } = setup(app, 0);
    const before = process.listenerCount('SIGUSR2');
    shutdown.install();
    expect(process.listenerCount('SIGUSR2')).toBe(before + 1);
    process.emit('SIGUSR2');
    expect(state.draining).toBe(true);
    await expect(exitedWith).resolves.toBe(0);
    shutdown.uninstall();
    expect(process.listenerCount('SIGUSR2')).toBe(before);
  });
});
