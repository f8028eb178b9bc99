#!/usr/bin/env node
/**
 * `npm test`: every check the project makes of itself, in order of cost, each named in the
 * output, ending with one "N passed, N failed" line. Stages:
 *   typecheck → lint → unit tests (pure logic) → the e2e suite on the bundled platform →
 *   self-tests (child runs against platforms started with faults, secret scan, tokens, ...).
 * `npm test -- <stage> ...` runs only the named stages.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const files = (dir) =>
  readdirSync(path.join(root, dir))
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => path.join(dir, name));
const node = (...args) => [process.execPath, args];

const stages = {
  typecheck: () => node(path.join('node_modules', 'typescript', 'bin', 'tsc'), '--noEmit'),
  lint: () => node(path.join('node_modules', '@biomejs', 'biome', 'bin', 'biome'), 'check', '.'),
  unit: () => node('--import', 'tsx', '--test', '--test-reporter=spec', ...files('test/unit')),
  e2e: () => node(path.join('node_modules', '@playwright', 'test', 'cli.js'), 'test'),
  selftest: () =>
    node(
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      '--test-concurrency=1',
      ...files('test/selftest'),
    ),
};

const wanted = process.argv.slice(2).filter((arg) => arg in stages);
const results = [];
for (const name of wanted.length > 0 ? wanted : Object.keys(stages)) {
  const [command, args] = stages[name]();
  process.stdout.write(`\n=== ${name}\n`);
  const started = Date.now();
  const run = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  results.push({ name, ok: run.status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1) });
}
process.stdout.write('\n=== summary\n');
for (const result of results)
  process.stdout.write(`${result.ok ? 'pass' : 'FAIL'}  ${result.name} (${result.seconds} s)\n`);
const failed = results.filter((result) => !result.ok).length;
process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
