/**
 * The project's Playwright configuration used from another folder (the bench's, a fault-matrix
 * batch's): the paths it gives relative to the project root (global setup, its own reporters)
 * made absolute, since Playwright resolves them against the configuration file that loads them.
 */
import path from 'node:path';
import type { PlaywrightTestConfig, ReporterDescription } from '@playwright/test';
import { ROOT } from './run-context.ts';

/** `./x` (relative to the project root) as an absolute path; a package name stays as it is. */
export const fromRoot = (name: string): string => (name.startsWith('.') ? path.join(ROOT, name) : name);

/** The configuration's reporters, their project-relative paths made absolute. */
export const rootedReporters = (config: PlaywrightTestConfig): ReporterDescription[] =>
  (Array.isArray(config.reporter) ? config.reporter : []).map(([name, options]) =>
    options === undefined ? [fromRoot(name)] : [fromRoot(name), options],
  );

/** Its global setup, likewise, when it names one. */
export const rootedGlobalSetup = (config: PlaywrightTestConfig): Pick<PlaywrightTestConfig, 'globalSetup'> =>
  typeof config.globalSetup === 'string' ? { globalSetup: fromRoot(config.globalSetup) } : {};
