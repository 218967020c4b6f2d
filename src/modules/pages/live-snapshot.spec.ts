import { buildLiveSnapshot } from './live-snapshot';
import type { PageContent } from './schemas/page.types';

const content = (): PageContent => ({
  title: 'Jane Doe',
  agent: { name: 'Jane Doe', title: 'Realtor' },
  sponsor: { name: 'Acme', disclosure: 'Sponsored by Acme' },
  sections: [{ heading: 'About', body: 'Hello' }],
  schedule: { timezone: 'UTC', events: [] },
});
const at = new Date('2027-01-01T00:00:00Z');

describe('buildLiveSnapshot', () => {
  it('gives the same body and ETag whatever the key order of the stored content', () => {
    const a = buildLiveSnapshot('jane', content(), 1, at);
    const shuffled = content();
    shuffled.agent = { title: 'Realtor', name: 'Jane Doe' };
    const reordered = Object.fromEntries(
      Object.entries(shuffled).reverse(),
    ) as unknown as PageContent;
    const b = buildLiveSnapshot('jane', reordered, 1, at);
    expect(b.body).toBe(a.body);
    expect(b.etag).toBe(a.etag);
  });

  it('changes the ETag when anything public changes', () => {
    const base = buildLiveSnapshot('jane', content(), 1, at);
    const edited = content();
    edited.sections[0].body = 'Hello!';
    expect(buildLiveSnapshot('jane', edited, 1, at).etag).not.toBe(base.etag);
    expect(buildLiveSnapshot('jane-2', content(), 1, at).etag).not.toBe(base.etag);
    expect(buildLiveSnapshot('jane', content(), 2, at).etag).not.toBe(base.etag);
  });

  it('serves exactly the public fields', () => {
    const body = JSON.parse(buildLiveSnapshot('jane', content(), 3, at).body);
    expect(Object.keys(body)).toEqual([
      'slug',
      'title',
      'agent',
      'sponsor',
      'sections',
      'schedule',
      'revision',
      'publishedAt',
      'updatedAt',
    ]);
    expect(body).toMatchObject({ slug: 'jane', revision: 3, publishedAt: at.toISOString() });
  });
});
