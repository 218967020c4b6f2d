import { production } from './production';
import { staging } from './staging';
import type { EnvironmentConfig } from './types';

export type { EnvironmentConfig } from './types';

/** Every environment the app synthesizes, by name. */
export const environments: readonly EnvironmentConfig[] = [staging, production];
