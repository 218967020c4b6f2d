import { histogramQuantile, QuantileWindow } from './latency-window';

const BOUNDS = [0.1, 0.5, 1, 2.5];

describe('histogramQuantile (as PromQL computes it)', () => {
  it('interpolates linearly inside the bucket that holds the rank', () => {
    // 100 observations: 50 in (0, 0.1], 40 in (0.1, 0.5], 10 in (0.5, 1].
    const counts = [50, 40, 10, 0, 0];
    expect(histogramQuantile(0.5, BOUNDS, counts)).toBeCloseTo(0.1);
    expect(histogramQuantile(0.7, BOUNDS, counts)).toBeCloseTo(0.1 + 0.4 * (20 / 40));
    expect(histogramQuantile(0.99, BOUNDS, counts)).toBeCloseTo(0.5 + 0.5 * (9 / 10));
  });

  it('starts the first bucket at 0, and answers the last finite bound for the +Inf bucket', () => {
    expect(histogramQuantile(0.5, BOUNDS, [10, 0, 0, 0, 0])).toBeCloseTo(0.05);
    expect(histogramQuantile(0.99, BOUNDS, [90, 0, 0, 0, 10])).toBe(2.5);
  });

  it('is above a bucket bound exactly when more than 1 % of the observations are above it', () => {
    // The alarm's threshold (1 s) is a bucket bound, so "p99 > 1 s" means "> 1 % slower than 1 s".
    expect(histogramQuantile(0.99, BOUNDS, [0, 0, 990, 10, 0])).toBeLessThanOrEqual(1);
    expect(histogramQuantile(0.99, BOUNDS, [0, 0, 989, 11, 0])).toBeGreaterThan(1);
  });

  it('is NaN without observations', () => {
    expect(histogramQuantile(0.99, BOUNDS, [0, 0, 0, 0, 0])).toBeNaN();
  });
});

describe('QuantileWindow', () => {
  function setup() {
    let now = 1_000_000;
    const totals = [0, 0, 0, 0, 0];
    const window = new QuantileWindow(
      BOUNDS,
      () => [...totals],
      300_000,
      () => now,
    );
    return {
      window,
      totals,
      advance: (ms: number) => (now += ms),
    };
  }

  it('covers only the last five minutes once the process is older than that', () => {
    const { window, totals, advance } = setup();
    totals[3] = 100; // 100 slow requests (1-2.5 s) early on
    for (let i = 0; i < 10; i++) {
      advance(30_000);
      window.quantile(0.99); // a scrape every 30 s
    }
    expect(window.quantile(0.99)).toBeGreaterThan(1);
    for (let i = 0; i < 11; i++) {
      totals[0] += 100; // then only fast ones
      advance(30_000);
      window.quantile(0.99);
    }
    // The slow ones are more than five minutes old: the window holds the fast ones only.
    expect(window.quantile(0.99)).toBeLessThanOrEqual(0.1);
  });

  it('uses everything since the start while the process is younger than the window', () => {
    const { window, totals, advance } = setup();
    advance(10_000);
    totals[0] = 98;
    totals[2] = 2;
    expect(window.quantile(0.99)).toBeGreaterThan(0.5);
  });

  it('is NaN when no request finished in the window', () => {
    const { window, totals, advance } = setup();
    totals[0] = 5;
    advance(10_000);
    expect(window.quantile(0.99)).toBeCloseTo(0.099); // the five are counted by this scrape
    advance(301_000);
    expect(window.quantile(0.99)).toBeNaN();
  });

  it('keeps a bounded number of snapshots however often it is read', () => {
    const { window, advance } = setup();
    for (let i = 0; i < 10_000; i++) {
      advance(100);
      window.quantile(0.99);
    }
    const kept = (window as unknown as { snapshots: unknown[] }).snapshots.length;
    expect(kept).toBeLessThanOrEqual(302);
  });

  it('treats totals that went down (a reset) as all new', () => {
    const { window, totals, advance } = setup();
    totals[4] = 50;
    advance(301_000);
    window.quantile(0.99); // this snapshot becomes the window's base
    totals[4] = 0;
    totals[0] = 10;
    advance(301_000);
    expect(window.quantile(0.99)).toBeCloseTo(0.099);
  });
});
