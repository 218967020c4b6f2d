/**
 * Bounds on the shape of a request body or query string, checked before class-transformer and
 * class-validator see it. Their work grows with every value sent (20,000 unknown keys: about
 * half a second of event loop and a 482 KB message), and class-transformer recurses (20,000
 * levels overflow the stack).
 *
 * The largest legitimate request needs 3 levels (`sections[i].heading`), 10 keys in an object
 * (an event), 200 items in an array (`exceptions`) and about 220 values in all;
 * request-shape.spec.ts holds the DTOs to half of each limit.
 */
export const REQUEST_SHAPE_LIMITS: ShapeLimits = {
  /** Levels of objects and arrays, the outermost one included. */
  depth: 8,
  /** Keys of one object (query: parameters). */
  keys: 32,
  /** Items of one array (query: values of one repeated parameter). */
  items: 400,
  /** Values in all: every property value and array item at any level. */
  values: 1000,
};

/**
 * Most bytes a page's content (its draft, or its live copy) may take as JSON: what one create
 * body can hold. Requests are bounded, but a schedule grows one event at a time, and every write
 * of a page rewrites its whole document: without this bound an event write to a page of a
 * hundred large events costs many times a normal write (bench/request-shape.bench.ts).
 */
export const MAX_PAGE_CONTENT_BYTES = 256 * 1024;

export interface ShapeLimits {
  depth: number;
  keys: number;
  items: number;
  values: number;
}

export interface ShapeBreach {
  limit: keyof ShapeLimits;
  max: number;
  /** Where the limit was crossed (`sections[3]`), when known; '' is the top level. */
  path?: string;
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The nesting limit, checked on the JSON text before it is parsed: one pass that stops at the
 * first level too deep, so a body of 100,000 brackets costs a few characters' work, not a parse.
 * Malformed text is left to the parser; only brackets outside strings count.
 */
export function jsonDepthBreach(text: string, maxDepth: number): ShapeBreach | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return { limit: 'depth', max: maxDepth };
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return null;
}

interface Frame {
  value: object;
  depth: number;
  parent: Frame | null;
  key: string | number;
}

const MAX_KEY_IN_PATH = 40;

const clip = (key: string): string =>
  key.length > MAX_KEY_IN_PATH ? `${key.slice(0, MAX_KEY_IN_PATH)}…` : key;

function pathOf(frame: Frame): string {
  let path = '';
  for (let f: Frame = frame; f.parent; f = f.parent)
    path = (typeof f.key === 'number' ? `[${f.key}]` : `.${clip(f.key)}`) + path;
  return path.startsWith('.') ? path.slice(1) : path;
}

/**
 * The first limit a parsed value crosses, or null. One iterative pass (no recursion, so no
 * depth can overflow the stack) that stops at the first breach: it visits at most
 * `values` + `keys` entries whatever the size of the input.
 */
export function shapeBreach(
  value: unknown,
  limits: ShapeLimits = REQUEST_SHAPE_LIMITS,
): ShapeBreach | null {
  if (value === null || typeof value !== 'object') return null;
  const stack: Frame[] = [{ value, depth: 1, parent: null, key: '' }];
  let values = 0;
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    if (frame.depth > limits.depth)
      return { limit: 'depth', max: limits.depth, path: pathOf(frame) };
    const node = frame.value;
    const isArray = Array.isArray(node);
    const keys = isArray ? null : Object.keys(node);
    const size = keys ? keys.length : (node as unknown[]).length;
    if (keys && size > limits.keys) return { limit: 'keys', max: limits.keys, path: pathOf(frame) };
    if (!keys && size > limits.items)
      return { limit: 'items', max: limits.items, path: pathOf(frame) };
    values += size;
    if (values > limits.values) return { limit: 'values', max: limits.values };
    for (let i = 0; i < size; i++) {
      const key = keys ? keys[i] : i;
      const child = (node as Record<string | number, unknown>)[key];
      if (child !== null && typeof child === 'object')
        stack.push({ value: child, depth: frame.depth + 1, parent: frame, key });
    }
  }
  return null;
}

/** The breach as the message of a 400: what was sent, which limit, and where. */
export function describeBreach(subject: string, breach: ShapeBreach): string {
  const at =
    breach.path === undefined
      ? ''
      : breach.path === ''
        ? ' (at the top level)'
        : ` (at ${breach.path})`;
  switch (breach.limit) {
    case 'depth':
      return `${subject} nests objects and arrays deeper than the limit of ${breach.max} levels${at}`;
    case 'keys':
      return `${subject} has an object with more than the limit of ${breach.max} keys${at}`;
    case 'items':
      return `${subject} has an array with more than the limit of ${breach.max} items${at}`;
    case 'values':
      return `${subject} has more than the limit of ${breach.max} values in all`;
  }
}
