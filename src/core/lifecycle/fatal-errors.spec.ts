import pino from 'pino';
import { installFatalErrorHandlers } from './fatal-errors';

describe('installFatalErrorHandlers', () => {
  it('logs an uncaught exception as fatal with the error, flushes, then exits 1', async () => {
    const lines: Array<Record<string, any>> = [];
    const flushed: string[] = [];
    const logger = pino({ level: 'info' }, {
      write: (l: string) => void lines.push(JSON.parse(l)),
      // pino's logger.flush(cb) calls the stream's flush: the exit must wait for it.
      flush: (cb: () => void) => {
        flushed.push('flush');
        setTimeout(cb, 10);
      },
    } as unknown as pino.DestinationStream);
    let exited!: (code: number) => void;
    const exit = new Promise<number>((resolve) => (exited = resolve));
    const uninstall = installFatalErrorHandlers(logger, (code) => {
      flushed.push(`exit ${code}`);
      exited(code);
    });
    try {
      // The installed listener, called as Node calls it (emitting the event for real would also
      // reach jest's own listener).
      process.listeners('uncaughtException').at(-1)!(new Error('kaput'), 'uncaughtException');
      await expect(exit).resolves.toBe(1);
    } finally {
      uninstall();
    }
    expect(flushed).toEqual(['flush', 'exit 1']);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 60,
        origin: 'uncaughtException',
        err: expect.objectContaining({ message: 'kaput', type: 'Error' }),
      }),
    ]);
  });
});
