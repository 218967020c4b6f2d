import {
  boundedMessage,
  listProblems,
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_LISTED_PROBLEMS,
  MAX_PROBLEM_LENGTH,
} from './problem-list';

describe('problem lists in error messages', () => {
  it('lists a few problems in full', () => {
    expect(listProblems(['a is wrong', 'b is wrong'])).toBe('a is wrong; b is wrong');
    expect(listProblems([])).toBe('');
  });

  it('names the first problems and counts the rest', () => {
    const problems = Array.from({ length: 12_345 }, (_, i) => `property k${i} should not exist`);
    const message = listProblems(problems);
    expect(message.startsWith('property k0 should not exist; property k1 should not exist')).toBe(
      true,
    );
    expect(message).toContain(`property k${MAX_LISTED_PROBLEMS - 1} should not exist; `);
    expect(message).not.toContain(`k${MAX_LISTED_PROBLEMS} `);
    expect(
      message.endsWith(`; … and ${(12_345 - MAX_LISTED_PROBLEMS).toLocaleString('en-US')} more`),
    ).toBe(true);
  });

  it('clips a problem that quotes a long key, and any message to its bound', () => {
    const message = listProblems([`property ${'x'.repeat(100_000)} should not exist`]);
    expect(message).toHaveLength(MAX_PROBLEM_LENGTH);
    expect(message.endsWith('…')).toBe(true);
    expect(boundedMessage('y'.repeat(100_000))).toHaveLength(MAX_ERROR_MESSAGE_LENGTH);
    expect(boundedMessage('short')).toBe('short');
  });
});
