import { PollLoop } from './poll-loop';

describe('PollLoop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('polls at once, then intervalMs after each poll ends, never two at a time', async () => {
    let running = 0;
    let most = 0;
    let polls = 0;
    const loop = new PollLoop(
      async () => {
        polls += 1;
        running += 1;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 300));
        running -= 1;
      },
      100,
      () => undefined,
    );
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(polls).toBe(1);
    await jest.advanceTimersByTimeAsync(350); // poll ends at 300, next at 400
    expect(polls).toBe(1);
    await jest.advanceTimersByTimeAsync(100);
    expect(polls).toBe(2);
    expect(most).toBe(1);
    const stopped = loop.stop(0);
    await jest.advanceTimersByTimeAsync(1);
    await stopped;
  });

  it('reports a failed poll and keeps going', async () => {
    const errors: unknown[] = [];
    const poll = jest.fn().mockRejectedValueOnce(new Error('db down')).mockResolvedValue(undefined);
    const loop = new PollLoop(poll, 50, (e) => errors.push(e));
    loop.start();
    await jest.advanceTimersByTimeAsync(60);
    expect(errors).toHaveLength(1);
    expect(poll).toHaveBeenCalledTimes(2);
    await loop.stop(0);
  });

  it('stop waits for the poll in progress, but not past its bound, and schedules nothing after', async () => {
    let finished = false;
    const poll = jest.fn(async () => {
      await new Promise((r) => setTimeout(r, 1000));
      finished = true;
    });
    const loop = new PollLoop(poll, 10, () => undefined);
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    const stopped = loop.stop(200);
    await jest.advanceTimersByTimeAsync(200);
    await stopped;
    expect(finished).toBe(false);
    expect(loop.active).toBe(false);
    await jest.advanceTimersByTimeAsync(2000);
    expect(poll).toHaveBeenCalledTimes(1);
  });
});
