import * as cdk from 'aws-cdk-lib';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { environments } from '../config';
import { buildApp } from '../lib/app';

/** Synthesizes the app once into cdk.out/ for every suite (and for cfn-lint and checkov). */
export default function globalSetup(): void {
  const outdir = path.join(__dirname, '..', 'cdk.out');
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = new cdk.App({ outdir });
  buildApp(app, environments);
  app.synth();
}
