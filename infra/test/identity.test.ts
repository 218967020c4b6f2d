import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { chartFullName } from '../lib/names';
import { ENV_NAMES, stacksOf } from './app-model';
import { template } from './assembly';

const SRC = path.join(__dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [p] : [];
  });
}

/** `cloudfront:<X>` for every `new <X>Command(` whose class comes from @aws-sdk/client-cloudfront. */
function cloudFrontActionsInCode(): string[] {
  const actions = new Set<string>();
  for (const file of sourceFiles(SRC)) {
    const text = fs.readFileSync(file, 'utf8');
    const imports = [
      ...text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-cloudfront'/g),
    ];
    const commands = imports.flatMap((m) =>
      m[1]
        .split(',')
        .map((s) => s.trim().replace(/^type\s+/, ''))
        .filter((s) => s.endsWith('Command')),
    );
    for (const command of commands) {
      if (new RegExp(`new\\s+${command}\\s*\\(`).test(text)) {
        actions.add(`cloudfront:${command.replace(/Command$/, '')}`);
      }
    }
  }
  return [...actions].sort();
}

/** HTTP method of each OpenSearch client call (opensearch-js: the API's documented method). */
const OPENSEARCH_METHODS: Record<string, string[]> = {
  search: ['GET', 'POST'],
  bulk: ['POST', 'PUT'],
  'cluster.health': ['GET'],
  'indices.getIndexTemplate': ['GET'],
  'indices.putIndexTemplate': ['PUT'],
  'indices.rollover': ['POST'],
  'indices.getDataStream': ['GET'],
  'indices.getMapping': ['GET'],
  ping: ['HEAD'],
  info: ['GET'],
};

/** `es:ESHttp<Method>` for every OpenSearch client call in the files that use the client. */
function searchActionsInCode(): { actions: string[]; unknown: string[] } {
  const actions = new Set<string>();
  const unknown: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const text = fs.readFileSync(file, 'utf8');
    if (!/from '@opensearch-project\/opensearch'/.test(text)) continue;
    const calls = text.matchAll(
      /(?:\bclient|this\.client\??|this\.require\(\))\.((?:indices\.|cluster\.)?\w+)\(/g,
    );
    for (const [, call] of calls) {
      if (call === 'close') continue;
      const methods = OPENSEARCH_METHODS[call];
      if (!methods) unknown.push(`${path.relative(SRC, file)}: ${call}`);
      // search sends POST whenever it has a body (always, here); GET is listed for completeness.
      for (const m of call === 'search' ? ['POST'] : call === 'bulk' ? ['POST'] : (methods ?? [])) {
        actions.add(`es:ESHttp${m[0]}${m.slice(1).toLowerCase()}`);
      }
    }
  }
  return { actions: [...actions].sort(), unknown };
}

function rolePolicies(envName: string, roleIdPrefix: string): any[] {
  const t = template(`SponsoredAgents-${envName}-Identity`);
  return Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref.startsWith(roleIdPrefix)))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

describe('what the code calls', () => {
  it('finds the CloudFront commands the service sends', () => {
    expect(cloudFrontActionsInCode()).toContain('cloudfront:CreateInvalidation');
  });

  it('knows the HTTP method of every OpenSearch client call in src/', () => {
    const { actions, unknown } = searchActionsInCode();
    expect(unknown).toEqual([]);
    expect(actions.length).toBeGreaterThan(0);
  });
});

describe.each(ENV_NAMES)('identity stack (%s)', (envName) => {
  it('grants the service exactly the CloudFront calls its code sends, on its distribution only', () => {
    const statements = rolePolicies(envName, 'ServiceRole');
    const cf = statements.filter((s) =>
      asList(s.Action).some((a) => String(a).startsWith('cloudfront:')),
    );
    expect(cf).toHaveLength(1);
    expect([...asList(cf[0].Action)].sort()).toEqual(cloudFrontActionsInCode());
    const resource = JSON.stringify(cf[0].Resource);
    expect(resource).toContain(':distribution/');
    expect(resource).toContain(`SponsoredAgents-${envName}-Edge:ExportsOutputRefDistribution`);
  });

  it('grants the service exactly the OpenSearch HTTP methods its code sends, on its domain', () => {
    const statements = rolePolicies(envName, 'ServiceRole');
    const es = statements.filter((s) => asList(s.Action).some((a) => String(a).startsWith('es:')));
    expect(es).toHaveLength(1);
    expect([...asList(es[0].Action)].sort()).toEqual(searchActionsInCode().actions);
    expect(es[0].Resource).toBe(
      `arn:aws:es:eu-west-1:${stacksOf(envName).config.account}:domain/${envName}-logs/*`,
    );
  });

  it('lets Fluent Bit only write, to the bulk API and the log stream', () => {
    const statements = rolePolicies(envName, 'ShipperRole');
    expect(statements).toHaveLength(1);
    expect([...asList(statements[0].Action)].sort()).toEqual(['es:ESHttpPost', 'es:ESHttpPut']);
    const resources = asList(statements[0].Resource).map(String);
    expect(resources.map((r) => r.replace(/^.*domain\/[^/]+/, ''))).toEqual([
      '/_bulk',
      '/logs-sponsored-agents*',
    ]);
  });

  it('uses no wildcard action and no bare "*" resource in any policy', () => {
    const t = template(`SponsoredAgents-${envName}-Identity`);
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
      (p: any) => p.Properties.PolicyDocument.Statement,
    );
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) {
      for (const a of asList(s.Action)) expect(String(a)).not.toMatch(/\*/);
      for (const r of asList(s.Resource)) expect(r).not.toBe('*');
    }
  });

  it("binds the roles to the chart's ServiceAccount and Fluent Bit's with Pod Identity", () => {
    const { config } = stacksOf(envName);
    const t = template(`SponsoredAgents-${envName}-Identity`);
    const assoc = Object.values(t.findResources('AWS::EKS::PodIdentityAssociation')).map(
      (a: any) => [a.Properties.Namespace, a.Properties.ServiceAccount],
    );
    expect(assoc).toEqual(
      expect.arrayContaining([
        [config.chart.namespace, chartFullName(config.chart.releaseName)],
        [config.chart.fluentBitNamespace, config.chart.fluentBitServiceAccount],
      ]),
    );
    for (const role of Object.values(t.findResources('AWS::IAM::Role')) as any[]) {
      expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
        Service: 'pods.eks.amazonaws.com',
      });
    }
  });
});

describe('chart naming', () => {
  it("matches the chart's full name rule (release name + chart name unless it already contains it)", () => {
    const chart = parse(
      fs.readFileSync(
        path.join(__dirname, '..', '..', 'charts', 'sponsored-agents', 'Chart.yaml'),
        'utf8',
      ),
    );
    expect(chart.name).toBe('sponsored-agents');
    expect(chartFullName('pages')).toBe('pages-sponsored-agents');
    expect(chartFullName('sponsored-agents-blue')).toBe('sponsored-agents-blue');
  });
});
