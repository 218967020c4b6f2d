import fc from 'fast-check';
import { searchKey, searchTermsOf, searchWords } from './page-search';

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

  it("a page's terms are the prefixes of the words of agent, sponsor and title", () => {
    expect(
      searchTermsOf({
        title: 'Zoë',
        agent: { name: 'Åse' },
        sponsor: { name: 'Acme', disclosure: 'ignored words' },
      }),
    ).toEqual(['a', 'as', 'ase', 'ac', 'acm', 'acme', 'z', 'zo', 'zoe']);
  });

  it('a query word finds a page exactly when it is a prefix of one of its words (property)', () => {
    const word = fc.stringMatching(/^[a-zA-Zäöüéè0-9]{1,30}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 5 }), word, (names, query) => {
        const terms = searchTermsOf({
          title: names.join(' '),
          agent: { name: 'x' },
          sponsor: { name: 'y', disclosure: '' },
        });
        const [q] = searchWords(query);
        const expected = names.some((n) => searchWords(n)[0].startsWith(searchKey(q)));
        expect(terms.includes(searchKey(q))).toBe(expected);
      }),
    );
  });
});
