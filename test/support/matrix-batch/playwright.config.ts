/**
 * The project's Playwright configuration for a fault-matrix batch (batch.spec.ts): its own test
 * file and one worker, everything else as the harness runs.
 */
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { rootedGlobalSetup, rootedReporters } from '../../../harness/relocated-config.ts';
import { ROOT } from '../../../harness/run-context.ts';
import base from '../../../playwright.config.ts';

export default defineConfig({
  ...base,
  testDir: path.join(ROOT, 'test', 'support', 'matrix-batch'),
  testMatch: 'batch.spec.ts',
  workers: 1,
  ...rootedGlobalSetup(base),
  reporter: rootedReporters(base),
});
