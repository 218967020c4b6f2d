import * as fs from 'node:fs';
import * as path from 'node:path';
import { ASSEMBLY_DIR } from './assembly';

interface Violation {
  readonly ruleName: string;
  readonly description: string;
  readonly severity: string;
  readonly violatingConstructs: readonly { readonly constructPath: string }[];
}
interface Report {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly violations: readonly Violation[];
  }[];
}

/** Every unacknowledged finding of the validation plugins (cdk-nag), one line each. */
export function validationFindings(): string[] {
  const file = path.join(ASSEMBLY_DIR, 'validation-report.json');
  // The global setup's synthesis runs the plugins and always writes the report.
  if (!fs.existsSync(file)) throw new Error(`no validation report at ${file}`);
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as Report;
  return report.pluginReports.flatMap((p) =>
    p.violations.flatMap((v) =>
      v.violatingConstructs.map(
        (c) => `${p.pluginName} ${v.severity} ${v.ruleName} at ${c.constructPath}`,
      ),
    ),
  );
}
