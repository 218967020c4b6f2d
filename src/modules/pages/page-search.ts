import type { PageContent } from './schemas/page.types';

/** Most distinct words a page keeps in `searchTerms` (title, agent and sponsor names are short). */
export const MAX_SEARCH_TERMS = 64;
/** Most words a search (`q`) may hold: each is one range on the multikey index. */
export const MAX_QUERY_WORDS = 8;

/**
 * The words of a text as search compares them: compatibility-decomposed (NFKD), combining marks
 * stripped, lower-cased, split on anything that is not a letter or digit. `Zoë Ångström` gives
 * `zoe`, `angstrom`. DocumentDB has no collation before 8.0 and FerretDB no text index, so the
 * accent- and case-insensitivity lives in the stored words, and a search is a prefix range on them.
 */
export function searchWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/**
 * The page's `searchTerms`: the distinct words of the draft's title, agent name and sponsor name.
 * The one function that derives them; the repository stores its result with every write of a
 * draft (insert and PagesRepository.applyIfVersion), and the start-up backfill uses it too.
 */
export function searchTermsOf(draft: Pick<PageContent, 'title' | 'agent' | 'sponsor'>): string[] {
  const words = new Set<string>();
  for (const text of [draft.title, draft.agent?.name, draft.sponsor?.name])
    for (const word of searchWords(text ?? '')) {
      if (words.size >= MAX_SEARCH_TERMS) break;
      words.add(word);
    }
  return [...words];
}

/** The upper bound of a prefix range: every string that starts with `prefix` sorts below it. */
export const prefixEnd = (prefix: string): string => `${prefix}\uffff`;
