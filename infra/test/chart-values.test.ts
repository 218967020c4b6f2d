import Ajv from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import {
  DEPLOYED_OUTPUTS,
  chartValues,
  readOutputs,
  searchRoleMappings,
  stackName,
} from '../lib/chart-values';
import { INGRESS_CLASSES } from '../lib/names';
import { ENV_NAMES, stacksOf } from './app-model';
import { template } from './assembly';

const CHART = path.join(__dirname, '..', '..', 'charts', 'sponsored-agents');

/** Values of the shape `cdk deploy --outputs-file` gives, for the outputs chart-values reads. */
function sampleOutputs(envName: string) {
  const { config } = stacksOf(envName);
  const sample: Record<string, string> = {
    distributionId: 'E2ABCDEF123456',
    openSearchEndpoint: `vpc-${envName}-logs-abc123.${config.region}.es.amazonaws.com`,
    documentDbEndpoint: `sponsored-agents-${envName}.cluster-abc.${config.region}.docdb.amazonaws.com`,
    documentDbSecretArn: `arn:aws:secretsmanager:${config.region}:${config.account}:secret:x-AbCdEf`,
    serviceRoleArn: `arn:aws:iam::${config.account}:role/sponsored-agents-${envName}-service`,
    shipperRoleArn: `arn:aws:iam::${config.account}:role/sponsored-agents-${envName}-fluent-bit`,
  };
  const file: Record<string, Record<string, string>> = {};
  for (const [name, { part, key }] of Object.entries(DEPLOYED_OUTPUTS)) {
    (file[stackName(envName, part)] ??= {})[key] = sample[name];
  }
  return readOutputs(envName, file);
}

describe.each(ENV_NAMES)('chart values emitted by the infra (%s)', (envName) => {
  it('reads only outputs the stacks declare', () => {
    for (const { part, key } of Object.values(DEPLOYED_OUTPUTS)) {
      expect(Object.keys(template(stackName(envName, part)).findOutputs(key))).toEqual([key]);
    }
  });

  it("validate against the chart's values.schema.json", () => {
    const schema = JSON.parse(fs.readFileSync(path.join(CHART, 'values.schema.json'), 'utf8'));
    const defaults = parse(fs.readFileSync(path.join(CHART, 'values.yaml'), 'utf8'));
    const values = chartValues(stacksOf(envName), sampleOutputs(envName));
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    // Helm merges the file over values.yaml; the schema checks the merged values.
    const merged = deepMerge(defaults, values);
    expect(validate(merged) ? [] : validate.errors).toEqual([]);
  });

  it('name only keys that exist in values.yaml', () => {
    const defaults = parse(fs.readFileSync(path.join(CHART, 'values.yaml'), 'utf8'));
    const missing = leafPaths(chartValues(stacksOf(envName), sampleOutputs(envName))).filter(
      (p) => !hasPath(defaults, p),
    );
    expect(missing).toEqual([]);
  });

  it('agree with the infra: classes, ServiceAccount, VPN and data subnet CIDRs', () => {
    const stacks = stacksOf(envName);
    const v = chartValues(stacks, sampleOutputs(envName)) as any;
    expect(v.ingress.public.className).toBe(INGRESS_CLASSES.public);
    expect(v.ingress.admin.className).toBe(INGRESS_CLASSES.internal);
    expect(v.ingress.admin.vpnCidrs).toEqual(stacks.access.vpnCidrs);
    expect(v.serviceAccount.name).toBe(stacks.identity.serviceAccountName);
    const dataCidrs = stacks.cluster.dataSubnets.map((s) => s.ipv4CidrBlock);
    expect(v.networkPolicy.egress.documentdb).toEqual({ port: 27017, cidrs: dataCidrs });
    expect(v.networkPolicy.egress.opensearch.cidrs).toEqual(dataCidrs);
    expect(v.config.opensearch.url).toMatch(/^https:\/\//);
    expect(v.config.cloudfront.distributionId).toBe('E2ABCDEF123456');
  });

  it('map the two roles for fine-grained access control', () => {
    const outputs = sampleOutputs(envName);
    expect(searchRoleMappings(outputs)).toEqual({
      sponsored_agents_app: { backend_roles: [outputs.serviceRoleArn] },
      sponsored_agents_shipper: { backend_roles: [outputs.shipperRoleArn] },
    });
  });
});

describe("the chart's CI value set for production on this infrastructure", () => {
  it('holds what the infra emits for production (the chart tier renders, validates and checkovs it)', () => {
    const file = path.join(CHART, 'ci', 'infra-production-values.yaml');
    const ci = parse(fs.readFileSync(file, 'utf8'));
    const emitted = chartValues(stacksOf('production'), sampleOutputs('production'));
    const differing = leafPaths(emitted)
      .map((p) => ({ path: p.join('.'), emitted: valueAt(emitted, p), ci: valueAt(ci, p) }))
      .filter((d) => JSON.stringify(d.emitted) !== JSON.stringify(d.ci));
    expect(differing).toEqual([]);
  });
});

function valueAt(v: unknown, p: string[]): unknown {
  let cur: unknown = v;
  for (const k of p) cur = isObject(cur) ? cur[k] : undefined;
  return cur;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function leafPaths(v: unknown, prefix: string[] = []): string[][] {
  if (!isObject(v) || Object.keys(v).length === 0) return [prefix];
  return Object.entries(v).flatMap(([k, child]) => leafPaths(child, [...prefix, k]));
}

function hasPath(v: unknown, p: string[]): boolean {
  let cur: unknown = v;
  for (const k of p) {
    if (!isObject(cur) || !(k in cur)) return false;
    cur = cur[k];
  }
  return true;
}
