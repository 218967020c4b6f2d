import * as fs from 'node:fs';
import * as path from 'node:path';
import { capacity, originRate, renderCapacityTable } from '../config/capacity';

/** A markdown table's rows as trimmed cells, separator row left out (Prettier pads cells). */
function rows(table: string): string[][] {
  return table
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    )
    .filter((cells) => !cells.every((c) => /^:?-+:?$/.test(c)));
}

describe('docs/capacity.md', () => {
  it('carries the table config/capacity.ts computes', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'capacity.md'), 'utf8');
    const start = doc.indexOf('<!-- capacity-table:start');
    const end = doc.indexOf('<!-- capacity-table:end');
    expect(start).toBeGreaterThan(-1);
    expect(rows(doc.slice(start, end))).toEqual(rows(renderCapacityTable()));
  });
});

describe('capacity model', () => {
  it('a TTL cache asks the origin once per TTL for a busy object, and for every request of a rare one', () => {
    expect(originRate(100, 300)).toBeCloseTo(1 / 300, 4); // busy: ~ once per 300 s
    expect(originRate(1e-5, 300) / 1e-5).toBeCloseTo(1, 2); // rare: nearly every request misses
  });

  it('Origin Shield lowers origin load, pods and storage; the config follows the sized column', () => {
    const a = capacity.production;
    const b = capacity.productionWithOriginShield;
    expect(b.originRequestsPerSecondPeak).toBeLessThan(a.originRequestsPerSecondPeak);
    expect(b.maxReplicas).toBeLessThan(a.maxReplicas);
    expect(b.openSearchStorageGiB).toBeLessThan(a.openSearchStorageGiB);
    // Connections at maxReplicas fit the chosen DocumentDB class.
    expect(b.docdbInstanceClass).toBe('r6g.large');
    expect(b.docdbConnectionsAtMaxReplicas).toBeLessThanOrEqual(1700);
  });
});
