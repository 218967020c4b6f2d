import { AppConfig } from '../config/app-config';
import { PublicCache } from './public-cache';
import { publicRepresentation, representationBytes } from './public-representation';

function cache(env: Record<string, string> = {}): PublicCache {
  return new PublicCache(
    AppConfig.fromEnvironment({
      MONGODB_URI: 'mongodb://db.example/pages',
      ADMIN_TOKEN: 'x'.repeat(32),
      PUBLIC_CACHE_TTL_MS: '1000',
      CACHE_STALE_IF_ERROR: '60',
      ...env,
    }),
  );
}

const dbDown = () => Object.assign(new Error('connection reset'), { name: 'MongoNetworkError' });
const size = (v: string | null) => (v ?? '').length;

describe('PublicCache', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2027-03-01T12:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('serves a fresh entry without loading again, refreshes it ahead in the background, never serves one past the TTL', async () => {
    const c = cache();
    const load = jest.fn(async () => 'v1');
    expect((await c.get('k', load, size)).value).toBe('v1');
    jest.advanceTimersByTime(400);
    expect((await c.get('k', load, size)).value).toBe('v1');
    expect(load).toHaveBeenCalledTimes(1);
    // Second half of its life: served at once, one background re-read.
    jest.advanceTimersByTime(200);
    load.mockResolvedValueOnce('v2');
    expect((await c.get('k', load, size)).value).toBe('v1');
    expect(load).toHaveBeenCalledTimes(2);
    await Promise.resolve();
    expect((await c.get('k', load, size)).value).toBe('v2');
    // Past the TTL with no refresh possible in time: the request waits for the database.
    jest.advanceTimersByTime(1001);
    load.mockResolvedValueOnce('v3');
    expect((await c.get('k', load, size)).value).toBe('v3');
  });

  it("peekFresh: a hit only in the first half of an entry's life, never a miss or a load", async () => {
    const c = cache();
    expect(c.peekFresh('k')).toBeUndefined();
    await c.get('k', async () => 'v1', size);
    jest.advanceTimersByTime(499);
    expect(c.peekFresh('k')).toEqual({ value: 'v1', stale: false, ageSeconds: 0 });
    // Due for its refresh-ahead (which only `get` can start): left to `get`.
    jest.advanceTimersByTime(1);
    expect(c.peekFresh('k')).toBeUndefined();
    expect(cache({ PUBLIC_CACHE_TTL_MS: '0' }).peekFresh('k')).toBeUndefined();
  });

  it('makes one load for concurrent misses of one key (single-flight)', async () => {
    const c = cache();
    let release!: (v: string) => void;
    const load = jest.fn(() => new Promise<string>((r) => (release = r)));
    const hits = Promise.all(Array.from({ length: 50 }, () => c.get('k', load, size)));
    release('v1');
    expect((await hits).map((h) => h.value)).toEqual(Array(50).fill('v1'));
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('never shares a read that began more than the TTL before the request (a slow database)', async () => {
    const c = cache();
    const releases: ((v: string) => void)[] = [];
    const load = jest.fn(() => new Promise<string>((r) => releases.push(r)));
    const first = c.get('k', load, size);
    jest.advanceTimersByTime(600);
    const joined = c.get('k', load, size); // within the TTL of the first read's start: shared
    jest.advanceTimersByTime(500);
    // 1.1 s after the first read began it is still running: a request now (say, the edge after a
    // purge) must get a read that begins after it arrived; later ones share that same read.
    const late = c.get('k', load, size);
    const later = c.get('k', load, size);
    expect(load).toHaveBeenCalledTimes(1); // one read at a time per key
    releases[0]('old');
    expect((await first).value).toBe('old');
    expect((await joined).value).toBe('old');
    await Promise.resolve();
    await Promise.resolve();
    expect(load).toHaveBeenCalledTimes(2);
    releases[1]('new');
    expect((await late).value).toBe('new');
    expect((await later).value).toBe('new');
    expect((await c.get('k', load, size)).value).toBe('new');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('evict: drops the named keys and every key of a group, and nothing else', async () => {
    const c = cache();
    const load = jest.fn(async () => 'v');
    for (const key of ['page:a', 'page:b', 'list:20:', 'list:5:x', 'page:c'])
      await c.get(key, load, size);
    expect(load).toHaveBeenCalledTimes(5);
    c.evict(['page:a', 'page:never-cached'], ['list']);
    for (const key of ['page:b', 'page:c']) await c.get(key, load, size);
    expect(load).toHaveBeenCalledTimes(5);
    for (const key of ['page:a', 'list:20:', 'list:5:x']) await c.get(key, load, size);
    expect(load).toHaveBeenCalledTimes(8);
    // The group forgets keys the LRU dropped or an eviction removed: evicting it again reloads
    // exactly the keys stored since.
    c.evict([], ['list']);
    await c.get('list:20:', load, size);
    expect(load).toHaveBeenCalledTimes(9);
  });

  it('evict: a read running when the write is evicted is not stored, nor shared with later requests', async () => {
    const c = cache();
    const releases: ((v: string) => void)[] = [];
    const load = jest.fn(() => new Promise<string>((r) => releases.push(r)));
    const before = c.get('page:a', load, size); // began before the write
    c.evict(['page:a']); // the write, then its eviction
    const after = c.get('page:a', load, size); // must not join the read that began before
    expect(load).toHaveBeenCalledTimes(2);
    releases[0]('old');
    expect((await before).value).toBe('old');
    releases[1]('new');
    expect((await after).value).toBe('new');
    expect((await c.get('page:a', load, size)).value).toBe('new');
    // The older read finishing last must not have replaced the newer copy either.
    const again = c.get('page:b', load, size);
    c.evict(['page:b']);
    releases[2]('stale');
    await again;
    expect(c.peekFresh('page:b')).toBeUndefined();
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('caches "not found" like a value', async () => {
    const c = cache();
    const load = jest.fn(async () => null);
    await c.get('missing', load, size);
    await c.get('missing', load, size);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('serves the last copy, marked stale with its age, while the database is down, up to CACHE_STALE_IF_ERROR', async () => {
    const c = cache();
    await c.get('k', async () => 'v1', size);
    jest.advanceTimersByTime(30_000);
    const hit = await c.get('k', () => Promise.reject(dbDown()), size);
    expect(hit).toEqual({ value: 'v1', stale: true, ageSeconds: 30 });
    jest.advanceTimersByTime(31_000);
    await expect(c.get('k', () => Promise.reject(dbDown()), size)).rejects.toThrow(
      'connection reset',
    );
  });

  it('never masks an error that is not an outage', async () => {
    const c = cache();
    await c.get('k', async () => 'v1', size);
    jest.advanceTimersByTime(2000);
    await expect(c.get('k', () => Promise.reject(new TypeError('bug')), size)).rejects.toThrow(
      'bug',
    );
  });

  it('stays within its byte bound, evicting the least recently used', async () => {
    const c = cache({ PUBLIC_CACHE_MAX_BYTES: '100' });
    const big = 'x'.repeat(40);
    for (const key of ['a', 'b', 'c']) await c.get(key, async () => big, size);
    const load = jest.fn(async () => big);
    await c.get('a', load, size); // 'a' was the least recently used: evicted, loaded again
    expect(load).toHaveBeenCalledTimes(1);
    await c.get('c', load, size); // still there
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('is off with PUBLIC_CACHE_TTL_MS=0: every get loads', async () => {
    const c = cache({ PUBLIC_CACHE_TTL_MS: '0' });
    const load = jest.fn(async () => 'v');
    await c.get('k', load, size);
    await c.get('k', load, size);
    expect(load).toHaveBeenCalledTimes(2);
    expect(c.enabled).toBe(false);
  });
});

describe('publicRepresentation', () => {
  it('encodes the body once as UTF-8 and formats Last-Modified as an HTTP date', () => {
    const body = JSON.stringify({ title: 'Zoë • Ünïcode' });
    const r = publicRepresentation({
      body,
      etag: '"e1"',
      lastModified: new Date('2027-03-01T12:34:56.789Z'),
    });
    expect(Buffer.isBuffer(r.body)).toBe(true);
    expect(r.body.toString('utf8')).toBe(body);
    expect(r.body.length).toBe(Buffer.byteLength(body));
    expect(r.lastModified).toBe('Mon, 01 Mar 2027 12:34:56 GMT');
    expect(r.notAfter).toBeNull();
    expect(representationBytes(r)).toBeGreaterThan(r.body.length);
  });

  it('has no Last-Modified when the source has none (the list)', () => {
    expect(publicRepresentation({ body: '{}', etag: '"e"' })).not.toHaveProperty('lastModified');
  });
});
