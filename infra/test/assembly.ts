import { Template } from 'aws-cdk-lib/assertions';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where the global setup synthesizes (INFRA_CDK_OUT: e.g. to keep concurrent runs apart). */
export const ASSEMBLY_DIR = process.env.INFRA_CDK_OUT ?? path.join(__dirname, '..', 'cdk.out');

/** The synthesized template of one stack, from the assembly the global setup wrote. */
export function template(stackName: string): Template {
  const file = path.join(ASSEMBLY_DIR, `${stackName}.template.json`);
  return Template.fromJSON(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>);
}
