import * as cdk from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The positive control of nag.test.ts: an empty finding list proves something only if the
// AwsSolutions pack, wired as lib/app.ts wires it, reports what it should.
describe('cdk-nag as the app wires it', () => {
  it('reports an AwsSolutions finding on a non-compliant resource, failing synthesis', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-control-'));
    try {
      const app = new cdk.App({ outdir });
      cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      const stack = new cdk.Stack(app, 'Control', {
        env: { account: '111111111111', region: 'eu-west-1' },
      });
      new sqs.Queue(stack, 'Plain'); // no DLQ, no SSL-only policy: AwsSolutions-SQS3, -SQS4
      expect(() => app.synth()).toThrow();
      const report = fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8');
      expect(report).toMatch(/AwsSolutions-SQS[34]/);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
