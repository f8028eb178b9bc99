#!/usr/bin/env node
/**
 * Make a fresh clone ready, before anything imports a dependency: install packages when
 * node_modules is missing or older than the lockfile, then make sure a Chromium exists
 * (Playwright's own, CHROMIUM_PATH, or Debian's, installed with apt when running as root).
 * Plain JavaScript on purpose: it runs before TypeScript tooling is installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stderr.write(`[prepare] ${line}\n`);
const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  return result.status === 0;
};

const modules = path.join(root, 'node_modules');
const marker = path.join(modules, '.package-lock.json');
const lock = path.join(root, 'package-lock.json');
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  say('installing dependencies (npm ci)');
  if (!run('npm', ['ci', '--no-audit', '--no-fund'])) {
    say('npm ci failed: see its output above');
    process.exit(1);
  }
}

// When a browser harness/browser.ts would accept is plainly there (CHROMIUM_PATH when set, else
// Debian's headless shell or full browser), or the browser is remote, there is nothing to
// ensure: skip ensure-browser.ts, whose TypeScript and Playwright start-up cost about 0.9 s of
// every run (BENCHMARKS.md).
const fromEnv = process.env.CHROMIUM_PATH;
const browserThere =
  !!process.env.E2E_BROWSER_WS_ENDPOINT ||
  (fromEnv
    ? existsSync(fromEnv)
    : existsSync('/usr/bin/chromium-headless-shell') || existsSync('/usr/bin/chromium'));
if (!process.argv.includes('--no-browser') && !browserThere) {
  if (!run(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'ensure-browser.ts')]))
    process.exit(1);
}
