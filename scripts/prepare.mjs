#!/usr/bin/env node
/**
 * Make a fresh clone ready, before anything imports a dependency: install packages when
 * node_modules is missing or older than the lockfile, then make sure a Chromium exists
 * (Playwright's own, CHROMIUM_PATH, or Debian's, installed with apt when running as root).
 * Each step says one line with its time; the tools' own output goes to a log under
 * `.golden-path/logs/`, shown (its last lines) only when the step fails (harness/quiet-step.mjs).
 * Plain JavaScript on purpose: it runs before TypeScript tooling is installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { logFile, runLogged, say, step } from '../harness/quiet-step.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const modules = path.join(root, 'node_modules');
const marker = path.join(modules, '.package-lock.json');
const lock = path.join(root, 'package-lock.json');
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  const log = logFile(root, 'npm-ci.log');
  const installed = step('installing dependencies (npm ci)', log, () =>
    runLogged(log, 'npm', ['ci', '--no-audit', '--no-fund'], { cwd: root }),
  );
  if (!installed) process.exit(1);
}

// When a browser harness/browser.ts would accept is plainly there (CHROMIUM_PATH when set, else
// Debian's headless shell or full browser), or the browser is remote, there is nothing to
// ensure: skip ensure-browser.ts, whose TypeScript and Playwright start-up cost about 0.9 s of
// every run (BENCHMARKS.md).
const fromEnv = process.env.CHROMIUM_PATH;
const plainlyThere = fromEnv
  ? [fromEnv]
  : ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium'].filter((file) => existsSync(file));
if (!process.argv.includes('--no-browser')) {
  if (process.env.E2E_BROWSER_WS_ENDPOINT) say('browser: the remote one at E2E_BROWSER_WS_ENDPOINT');
  else if (plainlyThere[0] && existsSync(plainlyThere[0])) say(`browser found: ${plainlyThere[0]}`);
  else {
    const ensure = [path.join(root, 'scripts', 'ensure-browser.ts')];
    const result = spawnSync(process.execPath, ['--import', 'tsx', ...ensure], {
      cwd: root,
      stdio: 'inherit',
    });
    if (result.status !== 0) process.exit(1);
  }
}
