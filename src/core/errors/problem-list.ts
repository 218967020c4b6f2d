/** How many problems a 400 names; the rest are counted, so the answer stays small. */
export const MAX_LISTED_PROBLEMS = 10;
/** Longest problem text listed: a problem can quote a key the client sent, of any length. */
export const MAX_PROBLEM_LENGTH = 300;

const clip = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** `a; b; c; … and 1,234 more`: the first problems in full, then how many were left out. */
export function listProblems(problems: readonly string[]): string {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => clip(p, MAX_PROBLEM_LENGTH));
  const more = problems.length - listed.length;
  return more > 0
    ? `${listed.join('; ')}; … and ${more.toLocaleString('en-US')} more`
    : listed.join('; ');
}

/** Longest message of any error body (a message may quote a path or a header). */
export const MAX_ERROR_MESSAGE_LENGTH = 4096;

export function boundedMessage(message: string): string {
  return clip(message, MAX_ERROR_MESSAGE_LENGTH);
}
