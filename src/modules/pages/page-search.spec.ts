import fc from 'fast-check';
import { prefixEnd, searchTermsOf, searchWords } from './page-search';

describe('search words', () => {
  it('folds case and accents and splits on anything not a letter or digit', () => {
    expect(searchWords('Zoë Ångström-Smith, ÉLAN 2nd')).toEqual([
      'zoe',
      'angstrom',
      'smith',
      'elan',
      '2nd',
    ]);
  });

  it("a page's terms are the distinct words of title, agent and sponsor names", () => {
    expect(
      searchTermsOf({
        title: 'Zoë Ångström',
        agent: { name: 'Zoë Ångström' },
        sponsor: { name: 'Acme Realty', disclosure: 'ignored words' },
      }),
    ).toEqual(['zoe', 'angstrom', 'acme', 'realty']);
  });

  it('every prefix of a stored word falls in the prefix range of that prefix (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }), fc.nat(), (text, cut) => {
        for (const word of searchWords(text)) {
          const [query] = searchWords(word.slice(0, 1 + (cut % word.length)));
          expect(word >= query && word < prefixEnd(query)).toBe(true);
        }
      }),
    );
  });
});
