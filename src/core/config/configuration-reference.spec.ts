import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import {
  describeVariables,
  renderConfigurationReference,
  stalenessMessage,
} from './configuration-reference';

const schemaSource = readFileSync(join(__dirname, 'environment.schema.ts'), 'utf8');

describe('configuration reference: generated from environment.schema.ts', () => {
  const variables = describeVariables(schemaSource);
  const byName = new Map(variables.map((v) => [v.name, v]));

  it('lists every variable of the schema, in declaration order, each with its comment', () => {
    const declared = [...schemaSource.matchAll(/^ {2}([A-Z][A-Z0-9_]*)[!?]?(?: =|:)/gm)].map(
      (m) => m[1],
    );
    expect(variables.map((v) => v.name)).toEqual(declared);
    for (const v of variables) expect(v.description.length).toBeGreaterThan(10);
  });

  it('states type, bounds, default and whether it is required from the validators', () => {
    expect(byName.get('MONGODB_URI')).toMatchObject({
      accepts: 'a mongodb:// URI',
      default: undefined,
      required: true,
    });
    expect(byName.get('PORT')).toMatchObject({
      accepts: 'integer, 1–65535',
      default: '3000',
      required: false,
    });
    expect(byName.get('LOG_FORMAT')).toMatchObject({
      accepts: 'one of `json`, `pretty`',
      default: 'json',
    });
    expect(byName.get('ADMIN_TOKEN')).toMatchObject({
      accepts: 'string, at least 16 characters',
      required: false,
    });
    expect(byName.get('BODY_LIMIT_BYTES')?.default).toBe(String(256 * 1024));
    expect(byName.get('MONGODB_RETRY_WRITES')).toMatchObject({
      accepts: 'boolean',
      default: 'false',
    });
    expect(byName.get('CDN_INVALIDATION_SETTLE_MS')?.description).toContain(
      'Must be at least their sum (checked at boot).',
    );
  });

  it('refuses a variable without a comment, naming it', () => {
    class Schema {
      /** Documented. */
      @IsString()
      A = 'a';

      @IsOptional()
      @IsInt()
      @Min(0)
      @Max(9)
      B?: number;
    }
    const source = `class Schema {\n  /** Documented. */\n  @IsString()\n  A = 'a';\n\n  @IsOptional()\n  B?: number;\n}`;
    expect(() => describeVariables(source, Schema)).toThrow(
      /Schema: add a \/\*\* … \*\/ comment .* above B$/,
    );
  });

  it('renders one table row per variable, pipes escaped', () => {
    class Schema {
      /** Either `a|b` or nothing. */
      @IsOptional()
      @IsIn(['a', 'b'])
      MODE?: string;
    }
    const source = 'class Schema {\n  /** Either `a|b` or nothing. */\n  MODE?: string;\n}';
    expect(renderConfigurationReference(describeVariables(source, Schema))).toContain(
      '| `MODE` | one of `a`, `b` |  |  | Either `a\\|b` or nothing. |',
    );
  });

  it('reports a stale or missing committed file with the command that regenerates it', () => {
    expect(stalenessMessage('docs/configuration.md', 'old', 'new')).toBe(
      'docs/configuration.md is stale: run `npm run config-doc` and commit the result.',
    );
    expect(stalenessMessage('docs/configuration.md', undefined, 'new')).toMatch(/is missing: run/);
    expect(stalenessMessage('docs/configuration.md', 'same', 'same')).toBeUndefined();
  });
});
