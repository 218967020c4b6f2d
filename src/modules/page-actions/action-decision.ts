import type { PageRecord } from '../pages/schemas/page.types';
import type { PageActionRecord } from './schemas/page-action.types';

export type Decision = { run: true } | { run: false; outcome: 'done' | 'skipped'; reason: string };

type PageState = Pick<PageRecord, 'status' | 'lastActionId' | 'sponsorship'>;
type ActionState = Pick<PageActionRecord, '_id' | 'kind' | 'source' | 'termId'>;

/**
 * What a due action does to the page as it is now. Decided again on every attempt, from a
 * fresh primary read, and the write is guarded by the version read: a page that changed in
 * between (a term edit, a manual unpublish) makes the write fail and the decision run again.
 * An action the page state makes moot is skipped with the reason, never retried.
 */
export function decide(action: ActionState, page: PageState | null): Decision {
  if (!page) return skip('the page was deleted');
  // The page write stamps the action: a run cut off after it (crash, lost reply) is done.
  if (page.lastActionId === action._id)
    return { run: false, outcome: 'done', reason: 'already applied by an earlier run' };
  if (action.source === 'term' && page.sponsorship?.termId !== action.termId)
    return skip('the sponsorship term was changed or removed');
  switch (action.kind) {
    case 'publish':
      if (page.status === 'archived') return skip('the page is archived');
      // A term's start on a page someone already published must not replace that content.
      if (action.source === 'term' && page.status === 'published')
        return skip('the page is already published');
      return { run: true };
    case 'unpublish':
      if (page.status !== 'published') return skip(`the page is ${page.status}, not published`);
      return { run: true };
    case 'archive':
      if (page.status === 'archived') return skip('the page is already archived');
      return { run: true };
  }
}

function skip(reason: string): Decision {
  return { run: false, outcome: 'skipped', reason };
}

/** Of a page's open actions (time order), the first that must run before `action`, if any. */
export function blockedBy(
  action: Pick<PageActionRecord, '_id' | 'at'>,
  open: Pick<PageActionRecord, '_id' | 'at'>[],
): string | null {
  const earlier = open.find(
    (a) =>
      a._id !== action._id &&
      (a.at.getTime() < action.at.getTime() ||
        (a.at.getTime() === action.at.getTime() && a._id < action._id)),
  );
  return earlier?._id ?? null;
}

/**
 * The instant public caching must end by: the earliest open unpublish or archive that would
 * still apply (a term action of a replaced term will be skipped, so it does not count).
 */
export function nextOfflineAt(
  page: Pick<PageRecord, 'sponsorship'>,
  open: Pick<PageActionRecord, 'kind' | 'at' | 'source' | 'termId'>[],
): Date | null {
  let next: Date | null = null;
  for (const a of open) {
    if (a.kind === 'publish') continue;
    if (a.source === 'term' && a.termId !== page.sponsorship?.termId) continue;
    if (!next || a.at.getTime() < next.getTime()) next = a.at;
  }
  return next;
}
