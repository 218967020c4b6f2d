import { comparable, diffPages } from './page-diff';
import type { PageContent } from './schemas/page.types';
import type { ScheduleEvent } from './schemas/schedule.types';

const event = (id: string, title: string): ScheduleEvent => ({
  id,
  title,
  start: '2031-01-06T09:00',
  end: '2031-01-06T10:00',
  allDay: false,
  exceptions: [],
  cancellations: [],
  status: 'scheduled',
  sequence: 0,
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: '2030-01-01T00:00:00.000Z',
});

const page = (over: Partial<PageContent> = {}): PageContent => ({
  title: 'Jane Doe',
  agent: { name: 'Jane Doe' },
  sponsor: { name: 'Acme Realty', disclosure: 'Sponsored by Acme Realty' },
  sections: [{ heading: 'About', body: 'Hello' }],
  schedule: { timezone: 'UTC', events: [event('a', 'Open house'), event('b', 'Coffee')] },
  ...over,
});

describe('page diff', () => {
  it('is empty for equal content, and ignores event bookkeeping the public never sees', () => {
    const bumped = page();
    bumped.schedule.events[0] = { ...bumped.schedule.events[0], sequence: 4, updatedAt: 'x' };
    expect(diffPages(comparable('jane', page()), comparable('jane', bumped))).toEqual([]);
  });

  it('names a replaced nested field with its before and after', () => {
    const after = page({ sponsor: { name: 'Acme Homes', disclosure: 'Sponsored by Acme Realty' } });
    expect(diffPages(comparable('jane', page()), comparable('jane', after))).toEqual([
      { path: 'sponsor.name', op: 'replace', before: 'Acme Realty', after: 'Acme Homes' },
    ]);
  });

  it('diffs events by id: removing the first event does not shift the second', () => {
    const after = page();
    after.schedule = { timezone: 'UTC', events: [event('b', 'Coffee')] };
    const changes = diffPages(comparable('jane', page()), comparable('jane', after));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ path: 'schedule.events.a', op: 'remove' });
    expect(changes[0].before).toMatchObject({ id: 'a', title: 'Open house' });
  });

  it('diffs sections by index, and a slug change is a change', () => {
    const after = page({
      sections: [
        { heading: 'About', body: 'Hello' },
        { heading: 'Listings', body: 'New' },
      ],
    });
    expect(diffPages(comparable('jane', page()), comparable('jane-doe', after))).toEqual([
      { path: 'sections.1', op: 'add', after: { heading: 'Listings', body: 'New' } },
      { path: 'slug', op: 'replace', before: 'jane', after: 'jane-doe' },
    ]);
  });

  it('nothing vs a page: every top-level field is an add, none a remove or replace', () => {
    const changes = diffPages(null, comparable('jane', page()));
    expect(changes.map((c) => c.path)).toEqual([
      'agent',
      'schedule',
      'sections',
      'slug',
      'sponsor',
      'title',
    ]);
    expect(changes.every((c) => c.op === 'add' && !('before' in c))).toBe(true);
  });
});
