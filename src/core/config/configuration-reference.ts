import { getMetadataStorage } from 'class-validator';
import ts from 'typescript';
import { EnvironmentVariables } from './environment.schema';

/**
 * The configuration reference (docs/configuration.md), generated from the one schema so that it
 * cannot drift from it: names, types and bounds from the validators the service runs at boot,
 * defaults from the class's initialisers, descriptions from each variable's doc comment (read
 * with the TypeScript compiler from the schema's source; comments are not kept at run time).
 */
export interface VariableReference {
  name: string;
  /** Type and accepted values, in words. */
  accepts: string;
  /** The default, as it would be written in the environment; undefined when there is none. */
  default?: string;
  required: boolean;
  description: string;
}

type Schema = new () => object;
type ValidationMetadata = ReturnType<
  ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']
>[number];

const code = (value: unknown) => `\`${String(value)}\``;

/** Every variable of `schema` in declaration order, from its validators and `source`'s comments. */
export function describeVariables(
  source: string,
  schema: Schema = EnvironmentVariables,
): VariableReference[] {
  const descriptions = docComments(source, schema.name);
  const defaults = new schema() as Record<string, unknown>;
  const byName = new Map<string, ValidationMetadata[]>();
  for (const meta of getMetadataStorage().getTargetValidationMetadatas(schema, '', true, false)) {
    byName.set(meta.propertyName, [...(byName.get(meta.propertyName) ?? []), meta]);
  }
  const undocumented = [...byName.keys()].filter((name) => !descriptions.has(name));
  if (undocumented.length > 0) {
    throw new Error(
      `${schema.name}: add a /** … */ comment (what it is for, and why) above ${undocumented.join(', ')}`,
    );
  }
  return [...descriptions.keys()]
    .filter((name) => byName.has(name))
    .map((name) => {
      const metas = byName.get(name) ?? [];
      const value = defaults[name];
      const optional = metas.some((m) => m.name === 'isOptional');
      return {
        name,
        accepts: accepts(name, metas),
        default: value === undefined ? undefined : environmentText(value),
        required: value === undefined && !optional,
        description: descriptions.get(name) ?? '',
      };
    });
}

/** A default as it would be written in the environment. */
function environmentText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : JSON.stringify(value);
}

/** The property doc comments of class `className` in `source`, in declaration order. */
function docComments(source: string, className: string): Map<string, string> {
  const file = ts.createSourceFile('schema.ts', source, ts.ScriptTarget.Latest, true);
  const found = new Map<string, string>();
  const visit = (node: ts.Node): void => {
    if (ts.isClassDeclaration(node) && node.name?.text === className) {
      for (const member of node.members) {
        if (!ts.isPropertyDeclaration(member) || !ts.isIdentifier(member.name)) continue;
        const text = ts
          .getJSDocCommentsAndTags(member)
          .filter(ts.isJSDoc)
          .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '')
          .join(' ')
          .replace(/\s+/g, ' ')
          .trim();
        if (text) found.set(member.name.text, text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function accepts(name: string, metas: ValidationMetadata[]): string {
  const find = (kind: string) => metas.find((m) => m.name === kind);
  const [min, max] = [find('min'), find('max')].map((m) => m?.constraints[0] as number | undefined);
  const parts: string[] = [];
  for (const meta of metas) {
    switch (meta.name ?? '') {
      case 'isOptional':
      case 'min':
      case 'max':
        break;
      case 'isIn':
        parts.push(`one of ${(meta.constraints[0] as unknown[]).map(code).join(', ')}`);
        break;
      case 'isInt':
        parts.push(
          min !== undefined && max !== undefined
            ? `integer, ${min}–${max}`
            : min !== undefined
              ? `integer ≥ ${min}`
              : max !== undefined
                ? `integer ≤ ${max}`
                : 'integer',
        );
        break;
      case 'isBoolean':
        parts.push('boolean');
        break;
      case 'isString':
        parts.push('string');
        break;
      case 'minLength':
        break;
      case 'isUrl':
        parts.push('http(s) URL');
        break;
      case 'matches': {
        // The validator's own message says it in words: "NAME must be a mongodb:// URI".
        const message = typeof meta.message === 'string' ? meta.message : undefined;
        const prefix = `${name} must be `;
        parts.push(
          message?.startsWith(prefix)
            ? message.slice(prefix.length)
            : `matches ${code((meta.constraints[0] as RegExp).source)}`,
        );
        break;
      }
      default:
        throw new Error(
          `${name}: no wording for @${meta.name ?? meta.type}() in configuration-reference.ts`,
        );
    }
  }
  const minLength = find('minLength');
  if (minLength) parts.push(`at least ${String(minLength.constraints[0])} characters`);
  return parts.join(', ');
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The Markdown page (before Prettier lays out its table). */
export function renderConfigurationReference(variables: VariableReference[]): string {
  const rows = variables.map((v) =>
    [
      code(v.name),
      cell(v.accepts),
      v.default === undefined ? '' : code(v.default === '' ? '""' : v.default),
      v.required ? '**yes**' : '',
      cell(v.description),
    ].join(' | '),
  );
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from src/core/config/environment.schema.ts by `npm run config-doc`; do not edit. -->',
    '',
    'The service reads these environment variables once, at boot, through one validated schema',
    '(`src/core/config/environment.schema.ts`). A missing or invalid setting stops the process',
    'with exit code 78 and a message naming the variable; so do the cross-field rules stated',
    'below. An empty value counts as unset. Booleans accept `true`/`false`, `1`/`0`, `yes`/`no`.',
    '',
    '| variable | accepts | default | required | what it is for |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
    '',
  ].join('\n');
}

/** What `config-doc:check` says: undefined when `committed` is `expected`. */
export function stalenessMessage(
  file: string,
  committed: string | undefined,
  expected: string,
): string | undefined {
  if (committed === expected) return undefined;
  return `${file} is ${committed === undefined ? 'missing' : 'stale'}: run \`npm run config-doc\` and commit the result.`;
}
