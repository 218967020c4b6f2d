import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  describeBreach,
  jsonDepthBreach,
  REQUEST_SHAPE_LIMITS as L,
  shapeBreach,
  type ShapeLimits,
} from './request-shape';

/** The reference: the same measures, recursively (fine for the small values generated here). */
function measure(value: unknown): ShapeLimits {
  const m: ShapeLimits = { depth: 0, keys: 0, items: 0, values: 0 };
  const visit = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== 'object') return;
    m.depth = Math.max(m.depth, depth);
    const children = Array.isArray(v) ? (v as unknown[]) : Object.values(v);
    if (Array.isArray(v)) m.items = Math.max(m.items, v.length);
    else m.keys = Math.max(m.keys, children.length);
    m.values += children.length;
    children.forEach((c) => visit(c, depth + 1));
  };
  visit(value, 1);
  return m;
}

const within = (m: ShapeLimits, limits: ShapeLimits): boolean =>
  m.depth <= limits.depth &&
  m.keys <= limits.keys &&
  m.items <= limits.items &&
  m.values <= limits.values;

// Strings full of what a text scanner could mistake for structure.
const trickyString = fc.string({
  unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', ':', ',', 'a', '\n', '\u2028'),
  maxLength: 6,
});
const { json } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -1.5),
    trickyString,
    fc.array(tie('json'), { maxLength: 5 }),
    fc.dictionary(trickyString, tie('json'), { maxKeys: 5 }),
  ),
}));

describe('request shape limits', () => {
  it('accepts any JSON within the limits, and leaves it unchanged', () => {
    fc.assert(
      fc.property(json, (value) => {
        fc.pre(within(measure(value), L));
        const before = JSON.stringify(value);
        expect(shapeBreach(value)).toBeNull();
        expect(jsonDepthBreach(before, L.depth)).toBeNull();
        expect(JSON.stringify(value)).toBe(before);
      }),
    );
  });

  it('refuses exactly the values beyond some limit, and names a limit that is crossed', () => {
    const small: ShapeLimits = { depth: 3, keys: 3, items: 3, values: 10 };
    fc.assert(
      fc.property(json, (value) => {
        const m = measure(value);
        const breach = shapeBreach(value, small);
        expect(breach === null).toBe(within(m, small));
        if (breach) expect(m[breach.limit]).toBeGreaterThan(small[breach.limit]);
      }),
      { numRuns: 500 },
    );
  });

  it('measures the depth of JSON text as the parsed value has it, strings and spacing aside', () => {
    fc.assert(
      fc.property(json, fc.integer({ min: 0, max: 6 }), fc.boolean(), (value, max, spaced) => {
        const text = spaced ? JSON.stringify(value, null, 2) : JSON.stringify(value);
        expect(jsonDepthBreach(text, max) === null).toBe(measure(value).depth <= max);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses 20,000 levels on the text after a few characters, and on the value without recursion', () => {
    for (const [open, close] of [
      ['[', ']'],
      ['{"a":', '}'],
    ]) {
      const text = open.repeat(20_000) + '1' + close.repeat(20_000);
      expect(jsonDepthBreach(text, L.depth)).toEqual({ limit: 'depth', max: L.depth });
      const breach = shapeBreach(JSON.parse(text));
      expect(breach?.limit).toBe('depth');
    }
  });

  it('stops at the first key count over the limit, and says where', () => {
    const keys = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 1]));
    expect(shapeBreach({ a: [{ b: keys }] })).toEqual({
      limit: 'keys',
      max: L.keys,
      path: 'a[0].b',
    });
    expect(shapeBreach(keys)).toEqual({ limit: 'keys', max: L.keys, path: '' });
    const long = 'x'.repeat(10_000);
    const breach = shapeBreach({ [long]: new Array(L.items + 1).fill(0) });
    expect(breach).toEqual({ limit: 'items', max: L.items, path: `${'x'.repeat(40)}…` });
    expect(describeBreach('Request body', breach!)).toBe(
      `Request body has an array with more than the limit of ${L.items} items (at ${'x'.repeat(40)}…)`,
    );
  });

  describe('every request DTO fits in half of each limit', () => {
    const metadatas: { target: string; rules: ValidationMetadata[] }[] = [];

    beforeAll(async () => {
      // Every DTO and query class of every module, as the app loads them.
      const root = join(__dirname, '../../modules');
      for (const module of readdirSync(root)) {
        const dir = join(root, module, 'dto');
        let files: string[];
        try {
          files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
        } catch {
          continue;
        }
        for (const file of files) await import(join(dir, file));
      }
      const storage = getMetadataStorage();
      // The storage keeps its targets private; every class with a rule is one of them.
      const targets = (storage as unknown as { validationMetadatas: Map<unknown, unknown> })
        .validationMetadatas;
      for (const target of targets.keys())
        if (typeof target === 'function')
          metadatas.push({
            target: target.name,
            rules: storage.getTargetValidationMetadatas(target, '', true, false),
          });
    });

    it('keys: no DTO declares more than half the key limit', () => {
      expect(metadatas.length).toBeGreaterThan(10);
      const counts = metadatas.map(({ target, rules }) => ({
        target,
        keys: new Set(rules.map((v) => v.propertyName)).size,
      }));
      expect(counts.filter((c) => c.keys > L.keys / 2)).toEqual([]);
    });

    it('items: no ArrayMaxSize above half the item limit', () => {
      const sizes = metadatas
        .flatMap((m) => m.rules)
        .filter((v) => v.name === 'arrayMaxSize')
        .map((v) => ({ property: v.propertyName, max: Number(v.constraints[0]) }));
      expect(sizes.length).toBeGreaterThanOrEqual(3);
      expect(sizes.filter((s) => s.max > L.items / 2)).toEqual([]);
    });
  });

  it('depth and values: the largest page and event bodies fit in half of each limit', () => {
    const url = 'https://example.com/';
    const page = {
      slug: 'jane-doe',
      timezone: 'UTC',
      title: 'T',
      summary: 'S',
      agent: {
        name: 'N',
        title: 'T',
        bio: 'B',
        photoUrl: url,
        email: 'a@b.co',
        phone: '1',
        websiteUrl: url,
      },
      sponsor: { name: 'A', disclosure: 'D', url, logoUrl: url },
      sections: Array.from({ length: 50 }, () => ({ heading: 'H', body: 'B' })),
      seo: { title: 'T', description: 'D', canonicalUrl: url, noindex: true },
      sponsorship: { startsAt: 'x', endsAt: 'y', timezone: 'UTC' },
    };
    const event = {
      title: 'T',
      description: 'D',
      location: { name: 'N', address: 'A', url, online: false },
      start: 's',
      end: 'e',
      allDay: false,
      recurrence: 'r',
      exceptions: Array.from({ length: 200 }, () => '2031-01-01'),
      status: 'scheduled',
      registrationUrl: url,
    };
    for (const body of [page, event]) {
      const m = measure(body);
      expect(m.depth).toBeLessThanOrEqual(L.depth / 2);
      expect(m.values).toBeLessThanOrEqual(L.values / 2);
    }
  });
});
