import type { Connection } from 'mongoose';
import type { RecordedCommand } from './command-recorder';

type Doc = Record<string, unknown>;

export interface IndexSpec {
  /** The declared name (`_id_` for the primary key). */
  name: string;
  keys: string[];
  unique: boolean;
}

/** The indexes each collection declares in its schema (plus `_id`), by collection name. */
export function declaredIndexes(connection: Connection): Map<string, IndexSpec[]> {
  const byCollection = new Map<string, IndexSpec[]>();
  for (const model of Object.values(connection.models)) {
    const specs: IndexSpec[] = [{ name: '_id_', keys: ['_id'], unique: true }];
    for (const [fields, options] of model.schema.indexes())
      specs.push({
        name: String(options?.name ?? Object.keys(fields).join('_')),
        keys: Object.keys(fields),
        unique: Boolean(options?.unique),
      });
    byCollection.set(model.collection.collectionName, specs);
  }
  return byCollection;
}

/** Commands that carry no query (writes of new documents, cursors, admin and index commands). */
const NO_QUERY = new Set([
  'insert',
  'getMore',
  'killCursors',
  'createIndexes',
  'listIndexes',
  'create',
  'drop',
  'dropDatabase',
  'listCollections',
  'endSessions',
]);

/** Operators that an index can serve on its leading key. */
const INDEXABLE = new Set(['$eq', '$in', '$gt', '$gte', '$lt', '$lte']);

function isIndexablePredicate(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return true; // equality
  if (value instanceof Date) return true;
  const ops = Object.keys(value);
  if (ops.length === 0 || !ops.every((op) => op.startsWith('$'))) return true; // sub-document
  return ops.some((op) => INDEXABLE.has(op));
}

/** Top-level field predicates of a filter, `$and` flattened. */
function fieldsOf(filter: Doc): Map<string, unknown> {
  const fields = new Map<string, unknown>();
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value))
      for (const part of value as Doc[]) for (const [k, v] of fieldsOf(part)) fields.set(k, v);
    else if (!key.startsWith('$')) fields.set(key, value);
  }
  return fields;
}

/**
 * The index the filter can lead with, if any: `_id` or an index whose first key it constrains;
 * of several, one that also holds every sort key (as a planner would pick it for the sort).
 */
function leadingIndex(
  filter: Doc,
  indexes: IndexSpec[],
  sortKeys: string[] = [],
): IndexSpec | null {
  const fields = fieldsOf(filter);
  const isEquality = (index: IndexSpec) => {
    const v = fields.get(index.keys[0]);
    return v === null || typeof v !== 'object' || v instanceof Date;
  };
  // Equality leads first: a planner prefers them (tight bounds) over ranges.
  const leading = indexes
    .filter((index) => fields.has(index.keys[0]) && isIndexablePredicate(fields.get(index.keys[0])))
    .sort((a, b) => Number(isEquality(b)) - Number(isEquality(a)));
  const served = leading.find((index) => sortKeys.every((key) => index.keys.includes(key)));
  if (served ?? leading[0]) return served ?? leading[0];
  const or = filter.$or;
  if (Array.isArray(or) && or.length > 0) {
    const branches = (or as Doc[]).map((branch) => leadingIndex(branch, indexes, sortKeys));
    if (branches.every(Boolean)) return branches[0];
  }
  return null;
}

/** The index whose leading keys are exactly the sort's keys in order: a walk in sort order. */
function sortIndex(sortKeys: string[], indexes: IndexSpec[]): IndexSpec | null {
  if (sortKeys.length === 0) return null;
  return indexes.find((index) => sortKeys.every((key, i) => index.keys[i] === key)) ?? null;
}

/**
 * The index each query of `commands` is served by (its name), or null for one that no declared
 * index serves: the filter's leading index, or for an empty filter with a limit, the index it
 * walks in sort order.
 */
export function servingIndexes(
  commands: readonly RecordedCommand[],
  indexes: Map<string, IndexSpec[]>,
): { command: RecordedCommand; index: string | null }[] {
  return commands
    .filter((c) => c.collection && !NO_QUERY.has(c.name) && c.name !== 'aggregate')
    .flatMap((c) => {
      const specs = indexes.get(c.collection!) ?? [{ name: '_id_', keys: ['_id'], unique: true }];
      const sortKeys = Object.keys(c.sort ?? {});
      return ((c.filters as Doc[]).length > 0 ? (c.filters as Doc[]) : [{}]).map((filter) => {
        const empty = Object.keys(filter).length === 0;
        const index =
          leadingIndex(filter, specs, sortKeys) ??
          (empty && c.limit !== undefined ? sortIndex(sortKeys, specs) : null);
        return { command: c, index: index?.name ?? null };
      });
    });
}

function existsOnArrayPosition(value: unknown, path = ''): string | null {
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = existsOnArrayPosition(item, path);
      if (found) return found;
    }
    return null;
  }
  for (const [key, inner] of Object.entries(value as Doc)) {
    const here = key.startsWith('$') ? path : path ? `${path}.${key}` : key;
    if (key === '$exists' && /(^|\.)\d+(\.|$)/.test(path)) return path;
    const found = existsOnArrayPosition(inner, here);
    if (found) return found;
  }
  return null;
}

function isBoundedById(filter: Doc): boolean {
  const id = filter._id;
  if (id === undefined) return false;
  if (id === null || typeof id !== 'object') return true;
  const ops = Object.keys(id);
  return ops.length === 0 || !ops[0].startsWith('$') || ops.includes('$in') || ops.includes('$eq');
}

function isUniqueEquality(filter: Doc, indexes: IndexSpec[]): boolean {
  const fields = fieldsOf(filter);
  return indexes.some(
    (index) =>
      index.unique &&
      index.keys.every((key) => {
        const v = fields.get(key);
        return v !== undefined && (v === null || typeof v !== 'object' || v instanceof Date);
      }),
  );
}

/**
 * The query-shape rules that hold scale-independence on DocumentDB (FerretDB uses no secondary
 * index at all, so its timings prove nothing): every filter leads with `_id` or an indexed key,
 * no `$exists` on an array position, every sort is served by an index the filter leads with (or
 * `_id`, or sorts a given list of ids), every find is bounded (a limit, `_id`s, or a unique key). Returns one line per breach.
 */
export function queryShapeViolations(
  commands: readonly RecordedCommand[],
  indexes: Map<string, IndexSpec[]>,
): string[] {
  const violations: string[] = [];
  for (const c of commands) {
    if (!c.collection || NO_QUERY.has(c.name)) continue;
    const specs = indexes.get(c.collection) ?? [{ name: '_id_', keys: ['_id'], unique: true }];
    const filters =
      c.name === 'aggregate'
        ? (c.pipeline ?? []).flatMap((stage) => (stage.$match ? [stage.$match as Doc] : []))
        : (c.filters as Doc[]);
    const where = `${c.name} ${c.collection} ${JSON.stringify(filters)}${c.sort ? ` sort ${JSON.stringify(c.sort)}` : ''}`;
    if (c.name === 'aggregate' && filters.length === 0) {
      violations.push(`${where}: aggregate without a leading $match`);
      continue;
    }
    const sortKeys = Object.keys(c.sort ?? {});
    for (const filter of filters.length > 0 ? filters : [{}]) {
      const exists = existsOnArrayPosition(filter);
      if (exists) violations.push(`${where}: $exists on the array position ${exists}`);
      const index = leadingIndex(filter, specs, sortKeys);
      const empty = Object.keys(filter).length === 0;
      const sortById = sortKeys.length === 1 && sortKeys[0] === '_id';
      // An empty filter with a limit walks an index in sort order (`_id`, or one led by the sort).
      const walked = empty && c.limit !== undefined && (sortById || sortIndex(sortKeys, specs));
      if (!index && !walked) violations.push(`${where}: no declared index serves this filter`);
      // A sort over a given list of ids sorts at most that many documents: bounded either way.
      if (sortKeys.length > 0 && !sortById && !walked && !isBoundedById(filter)) {
        const served = index && sortKeys.every((key) => index.keys.includes(key));
        if (!served) violations.push(`${where}: the sort is not served by the filter's index`);
      }
      if (
        c.name === 'find' &&
        c.limit === undefined &&
        !isBoundedById(filter) &&
        !isUniqueEquality(filter, specs)
      )
        violations.push(`${where}: unbounded result (no limit, ids or unique key)`);
    }
  }
  return violations;
}
