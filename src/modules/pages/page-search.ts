import type { PageContent } from './schemas/page.types';

/** Longest word prefix stored and searched: a longer query word is cut to it (a looser match). */
export const MAX_PREFIX_LENGTH = 20;
/** Most entries a page keeps in `searchTerms` (index entries per page stay bounded). */
export const MAX_SEARCH_TERMS = 300;
/** Most words a search (`q`) may hold: each is one range on the multikey index. */
export const MAX_QUERY_WORDS = 8;

/**
 * The words of a text as search compares them: compatibility-decomposed (NFKD), combining marks
 * stripped, lower-cased, split on anything that is not a letter or digit. `Zoë Ångström` gives
 * `zoe`, `angstrom`. DocumentDB has no collation before 8.0 and FerretDB no text index, so the
 * accent- and case-insensitivity lives in the stored words.
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
 * The page's `searchTerms`: every prefix (up to MAX_PREFIX_LENGTH characters) of every word of
 * the draft's agent name, sponsor name and title, distinct. A word-prefix search is then an
 * equality per query word on a multikey index: exact on every engine, whereas a range on an
 * array matches when one element passes the lower bound and another the upper (and FerretDB's
 * `$elemMatch` does not pin both bounds to one element). The one function that derives them:
 * the repository stores its result with every write of a draft (insert and
 * PagesRepository.applyIfVersion), and the start-up backfill uses it too.
 */
export function searchTermsOf(draft: Pick<PageContent, 'title' | 'agent' | 'sponsor'>): string[] {
  const terms = new Set<string>();
  for (const text of [draft.agent?.name, draft.sponsor?.name, draft.title])
    for (const word of searchWords(text ?? ''))
      for (let n = 1; n <= Math.min(word.length, MAX_PREFIX_LENGTH); n++) {
        if (terms.size >= MAX_SEARCH_TERMS) return [...terms];
        terms.add(word.slice(0, n));
      }
  return [...terms];
}

/** What a query word is compared with: its stored prefix form. */
export const searchKey = (word: string): string => word.slice(0, MAX_PREFIX_LENGTH);

/** The upper bound of a prefix range on a scalar field (the slug): `prefix` then the top char. */
export const prefixEnd = (prefix: string): string => `${prefix}\uffff`;
