/** Drops undefined keys (deeply) so stored documents have no null-vs-missing ambiguity. */
export function stripUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
