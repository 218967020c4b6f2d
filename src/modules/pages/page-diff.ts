import diff from 'microdiff';
import type { ChangeDto, DiffOp } from './dto/staff.dto';
import { publicPageJson } from './live-snapshot';
import type { PageContent } from './schemas/page.types';

const EPOCH = new Date(0);

/**
 * What a version of a page shows the public, as the diff compares it: the public representation
 * (same builder as the live body, so a difference here is a difference a reader would see),
 * without what only publishing decides (revision, publishedAt, updatedAt), and with the
 * schedule's events keyed by id, so that an edited event is a change of its fields and not a
 * shift of every event after it. Sections stay an array, compared by index.
 */
export function comparable(slug: string, content: PageContent): Record<string, unknown> {
  const view = JSON.parse(publicPageJson(slug, content, 0, EPOCH, EPOCH)) as Record<
    string,
    unknown
  > & { schedule: { timezone: string; events: { id: string }[] } };
  delete view.revision;
  delete view.publishedAt;
  delete view.updatedAt;
  return {
    ...view,
    schedule: {
      timezone: view.schedule.timezone,
      events: Object.fromEntries(view.schedule.events.map((e) => [e.id, e])),
    },
  };
}

const OPS: Record<'CREATE' | 'REMOVE' | 'CHANGE', DiffOp> = {
  CREATE: 'add',
  REMOVE: 'remove',
  CHANGE: 'replace',
};

/**
 * The field-level changes from `before` to `after` (either may be null: nothing there, so every
 * field is an add or a remove), in a stable order (by path). microdiff does the structural walk.
 */
export function diffPages(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): ChangeDto[] {
  return diff(before ?? {}, after ?? {})
    .map((d): ChangeDto => {
      const change: ChangeDto = { path: d.path.map(String).join('.'), op: OPS[d.type] };
      if (d.type !== 'CREATE') change.before = d.oldValue as unknown;
      if (d.type !== 'REMOVE') change.after = d.value as unknown;
      return change;
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
