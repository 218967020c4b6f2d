import * as fs from 'node:fs';
import * as path from 'node:path';
import { ASSEMBLY_DIR } from './assembly';

interface Manifest {
  missing?: { key: string }[];
  artifacts: Record<
    string,
    { type: string; metadata?: Record<string, { type: string; data: unknown }[]> }
  >;
}

const manifest = () =>
  JSON.parse(fs.readFileSync(path.join(ASSEMBLY_DIR, 'manifest.json'), 'utf8')) as Manifest;

describe('synthesis', () => {
  it('needs no context lookup (no AWS access at synth)', () => {
    expect((manifest().missing ?? []).map((m) => m.key)).toEqual([]);
  });

  it('leaves no error annotation on any construct', () => {
    const errors = Object.entries(manifest().artifacts).flatMap(([name, a]) =>
      Object.entries(a.metadata ?? {}).flatMap(([p, entries]) =>
        entries
          .filter((e) => e.type === 'aws:cdk:error')
          .map((e) => `${name} ${p}: ${String(e.data)}`),
      ),
    );
    expect(errors).toEqual([]);
  });

  it('bundles no asset with Docker (every asset is a file or a directory shipped in a package)', () => {
    const assets = Object.entries(manifest().artifacts)
      .filter(([, a]) => a.type === 'cdk:asset-manifest')
      .map(([name]) =>
        JSON.parse(fs.readFileSync(path.join(ASSEMBLY_DIR, `${name}.json`), 'utf8')),
      );
    for (const a of assets) expect(Object.keys(a.dockerImages ?? {})).toEqual([]);
  });
});

describe('encryption at rest in every stack', () => {
  const templates = () =>
    fs
      .readdirSync(ASSEMBLY_DIR)
      .filter((f) => f.endsWith('.template.json'))
      .map((f) => [f, JSON.parse(fs.readFileSync(path.join(ASSEMBLY_DIR, f), 'utf8'))] as const);

  it('encrypts every log group and secret with a KMS key of its own', () => {
    const plain: string[] = [];
    for (const [file, t] of templates()) {
      for (const [id, r] of Object.entries<any>(t.Resources ?? {})) {
        if (r.Type === 'AWS::Logs::LogGroup' && !r.Properties?.KmsKeyId)
          plain.push(`${file} ${id}`);
        if (r.Type === 'AWS::SecretsManager::Secret' && !r.Properties?.KmsKeyId)
          plain.push(`${file} ${id}`);
      }
    }
    expect(plain).toEqual([]);
  });
});
