import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CursorPageQuery, parsePageLimit } from './cursor-page.query';

describe('parsePageLimit', () => {
  // Spellings around every edge of the DTO's rule: bounds, zero-padding, exponents, fractions,
  // signs, blanks, hex and what Number() makes of them.
  const texts = [
    ...['0', '1', '2', '20', '99', '100', '101', '999', '1000'],
    ...['020', '001', '1e1', '1e2', '1e3', '10.0', '10.5', '+5', '-1', '-0', ' 5', '5 ', ''],
    ...['0x10', 'abc', '5abc', 'Infinity', 'NaN', '1,5', '２０'],
  ];

  it.each(texts)('accepts %j exactly when the list query DTO does, as the same number', (text) => {
    const query = plainToInstance(CursorPageQuery, { limit: text });
    const dtoAccepts = validateSync(query).length === 0;
    expect(parsePageLimit(text)).toBe(dtoAccepts ? query.limit : undefined);
  });

  it('accepts the bounds and nothing outside them', () => {
    expect([parsePageLimit('1'), parsePageLimit('100')]).toEqual([1, 100]);
    expect([parsePageLimit('0'), parsePageLimit('101')]).toEqual([undefined, undefined]);
  });
});
