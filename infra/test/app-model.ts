import { environments } from '../config';
import { buildApp, newApp, type EnvironmentStacks } from '../lib/app';

let model: Map<string, EnvironmentStacks> | undefined;

/** The construct tree of every environment (built once per test file, not synthesized). */
export function stacksOf(envName: string): EnvironmentStacks {
  model ??= buildApp(newApp(), environments);
  const stacks = model.get(envName);
  if (!stacks) throw new Error(`no environment ${envName}`);
  return stacks;
}

export const ENV_NAMES = environments.map((e) => e.envName);
