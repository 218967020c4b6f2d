import * as fs from 'node:fs';
import * as path from 'node:path';
import { environments } from '../config';
import { buildApp, newApp } from '../lib/app';
import { ASSEMBLY_DIR } from './assembly';

/**
 * Synthesizes the app once into cdk.out/ for every suite (and for cfn-lint and checkov). A
 * synthesis that fails only on validation findings (cdk-nag) still writes the templates and the
 * report, so the suites run and test/nag.test.ts names each finding; any other error stops here.
 */
export default function globalSetup(): void {
  const outdir = ASSEMBLY_DIR;
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = newApp({ outdir });
  buildApp(app, environments);
  try {
    app.synth();
  } catch (err) {
    if (!fs.existsSync(path.join(outdir, 'validation-report.json'))) throw err;
  }
}
