import { getMetadataStorage } from 'class-validator';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every length, range, pattern and enum rule a request DTO enforces (class-validator) is stated in the committed
 * OpenAPI document with the same bound, so a client (or schemathesis) never meets a 400 for data
 * the document calls valid. The document is the generated one (`npm run openapi:check` holds it
 * fresh); the rules are read from the validators themselves, so a new field cannot be missed.
 */
const KEYWORD: Record<string, string> = {
  maxLength: 'maxLength',
  minLength: 'minLength',
  max: 'maximum',
  min: 'minimum',
  arrayMaxSize: 'maxItems',
  arrayMinSize: 'minItems',
  matches: 'pattern',
  isIn: 'enum',
};

interface Schema {
  [keyword: string]: unknown;
  properties?: Record<string, Schema>;
}
interface Parameter {
  name: string;
  in: string;
  schema: Schema;
}

const root = join(__dirname, '..', '..', '..');
const doc = JSON.parse(readFileSync(join(root, 'docs', 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { parameters?: Parameter[] }>>;
  components: { schemas: Record<string, Schema> };
};
const queryParameters: Parameter[] = Object.values(doc.paths).flatMap((operations) =>
  Object.values(operations).flatMap((op) => (op.parameters ?? []).filter((p) => p.in === 'query')),
);

// Every DTO module (request bodies and query classes live in modules/*/dto), and the classes they
// export: a rule declared on a base class is stated on the component of each class built from it.
const modules = join(root, 'src', 'modules');
const dtoFiles = readdirSync(modules).flatMap((module) => {
  const dir = join(modules, module, 'dto');
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join(dir, f))
    : [];
});

interface Rule {
  target: object;
  owner: string;
  property: string;
  keyword: string;
  /** A number, a pattern's source, or an enum's values (sorted, as JSON). */
  bound: number | string;
}

function enumKey(values: unknown): string | undefined {
  return Array.isArray(values) ? JSON.stringify([...values].sort()) : undefined;
}

/** A schema's value for a keyword (through a named enum's `$ref`), enums in the rules' form. */
function stated(schema: Schema | undefined, keyword: string): unknown {
  const ref = (schema?.$ref ?? (schema?.allOf as Schema[] | undefined)?.[0]?.$ref) as
    string | undefined;
  const value =
    schema?.[keyword] ??
    (ref ? doc.components.schemas[ref.split('/').pop()!]?.[keyword] : undefined);
  return keyword === 'enum' ? enumKey(value) : value;
}

function rules(): Rule[] {
  const found: Rule[] = [];
  const storage = getMetadataStorage() as unknown as {
    validationMetadatas: Map<
      object,
      { name?: string; propertyName: string; constraints?: unknown[]; each?: boolean }[]
    >;
  };
  for (const [target, metas] of storage.validationMetadatas) {
    const owner = (target as { name: string }).name;
    for (const m of metas) {
      const keyword = m.name ? KEYWORD[m.name] : undefined;
      // `each` applies to the items of an array: stated on `items`, not checked here.
      const constraint = m.constraints?.[0];
      const bound =
        constraint instanceof RegExp
          ? constraint.source
          : Array.isArray(constraint)
            ? enumKey(constraint)
            : constraint;
      if (!keyword || m.each || (typeof bound !== 'number' && typeof bound !== 'string')) continue;
      found.push({ target, owner, property: m.propertyName, keyword, bound });
    }
  }
  return found;
}

describe('the OpenAPI document states every length, range, pattern and enum rule of the request DTOs', () => {
  // Loading a DTO module registers its validators' metadata.
  const exported: object[] = [];
  let all: Rule[] = [];
  beforeAll(async () => {
    for (const file of dtoFiles) {
      for (const value of Object.values((await import(file)) as Record<string, unknown>)) {
        if (typeof value === 'function') exported.push(value);
      }
    }
    all = rules();
  });

  /**
   * Whether the document states a rule: the component schema of the class or of every exported
   * class built from it (`extends`, mapped types), else the query parameters of that name.
   */
  function documented(rule: Rule): boolean {
    const components = exported
      .filter((c) => c === rule.target || Object.prototype.isPrototypeOf.call(rule.target, c))
      .map((c) => doc.components.schemas[(c as { name: string }).name])
      .filter((schema) => schema !== undefined);
    if (components.length > 0) {
      return components.every(
        (schema) => stated(schema.properties?.[rule.property], rule.keyword) === rule.bound,
      );
    }
    // A query class is not named in the document; a parameter of that name must state the bound
    // (several operations share names such as `from` with bounds of their own).
    return queryParameters.some(
      (p) => p.name === rule.property && stated(p.schema, rule.keyword) === rule.bound,
    );
  }

  it('finds the rules (the DTOs were loaded)', () => {
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter((r) => r.keyword === 'pattern').length).toBeGreaterThan(5);
    expect(all.filter((r) => r.keyword === 'enum').length).toBeGreaterThan(5);
    expect(all).toContainEqual(
      expect.objectContaining({
        owner: 'AgentDto',
        property: 'phone',
        keyword: 'maxLength',
        bound: 40,
      }),
    );
  });

  it('with the same bound', () => {
    const missing = all
      .filter((rule) => !documented(rule))
      .map((r) => `${r.owner}.${r.property}: ${r.keyword} ${r.bound}`);
    expect(missing).toEqual([]);
  });
});
