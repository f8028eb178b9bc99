/**
 * The runner enforces what it promises: a stage of `npm test` that ran nothing fails however its
 * tool exited, Playwright refuses a focused test unless a person asked for it locally (and CI
 * never does), and Biome reports every form of focused test as an error.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, runNode } from '../support/platform.ts';

const RUNNER = path.join(ROOT, 'scripts', 'test.mjs');
const PLAYWRIGHT = path.join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js');
const summaryOf = (output: string) => output.slice(output.lastIndexOf('=== summary'));
/** One small unit file stands for the folder: the counting is the same, and it loads in a second. */
const ONE_UNIT_FILE = 'test/unit/tokens.test.ts';

describe('a stage that ran nothing fails', { timeout: 120_000 }, () => {
  it('unit: a name pattern no test matches; its temporary folder is kept and named', async () => {
    const temp = mkdtempSync(path.join(tmpdir(), 'golden-path-runner-'));
    const run = await runNode(
      [RUNNER, 'unit', '--', '--test-name-pattern=^no test has this name$', ONE_UNIT_FILE],
      { TMPDIR: temp },
    );
    assert.equal(run.exitCode, 1, run.stdout.slice(-2000));
    assert.match(
      summaryOf(run.stdout),
      /FAIL {2}unit \([\d.]+ s\): ran nothing: 0 tests\n0 passed, 1 failed/,
    );
    const kept = readdirSync(temp);
    assert.equal(kept.length, 1, `one stage folder kept in ${temp}: ${kept}`);
    assert.ok(run.stdout.includes(`kept in ${path.join(temp, kept[0] ?? '')}`), run.stdout.slice(-500));
  });

  it('e2e: a grep no test matches, even when Playwright is told to pass with no tests', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'golden-path-runner-'));
    const run = await runNode([RUNNER, 'e2e', '--', '--grep', '@no-such-tag', '--pass-with-no-tests'], {
      E2E_OUTPUT_DIR: out,
      E2E_STATE_DIR: path.join(out, 'state'),
    });
    assert.equal(run.exitCode, 1, run.stdout.slice(-2000));
    assert.match(summaryOf(run.stdout), /FAIL {2}e2e \([\d.]+ s\): ran nothing: 0 tests/);
  });

  it('a stage that ran tests reports how many, and leaves no temporary folder behind', async () => {
    const temp = mkdtempSync(path.join(tmpdir(), 'golden-path-runner-'));
    const run = await runNode(
      [RUNNER, 'unit', '--', '--test-name-pattern=^the margin is capped', ONE_UNIT_FILE],
      { TMPDIR: temp },
    );
    assert.equal(run.exitCode, 0, run.stdout.slice(-2000));
    assert.match(summaryOf(run.stdout), /pass {2}unit \([\d.]+ s\): 1 test\n1 passed, 0 failed/);
    assert.deepEqual(readdirSync(temp), []);
  });

  it('an unknown stage is an error, not a run of every stage', async () => {
    const run = await runNode([RUNNER, 'unti'], {});
    assert.equal(run.exitCode, 2);
    assert.match(run.stderr, /unknown stage\(s\): unti; the stages are typecheck, lint, unit, e2e, selftest/);
  });
});

describe('a focused test', { timeout: 60_000 }, () => {
  /** A folder with one focused spec, and a config that is the project's with only the folder changed. */
  function focusedSuite(): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'golden-path-focus-'));
    const testModule = path.join(ROOT, 'node_modules', '@playwright', 'test', 'index.mjs');
    writeFileSync(
      path.join(dir, 'focus.spec.ts'),
      [
        `import { test } from ${JSON.stringify(testModule)};`,
        "test.only('the focused one', () => {});",
        "test('the rest of the suite', () => {});",
        '',
      ].join('\n'),
    );
    // ES modules, as in the project: Playwright loads the project's config the way this folder says.
    writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(
      path.join(dir, 'playwright.config.ts'),
      [
        `import config from ${JSON.stringify(path.join(ROOT, 'playwright.config.ts'))};`,
        "export default { ...config, testDir: '.', webServer: undefined, globalSetup: undefined, reporter: 'line' };",
        '',
      ].join('\n'),
    );
    return dir;
  }
  const list = (dir: string, env: Record<string, string>) =>
    runNode([PLAYWRIGHT, 'test', '--list', '--config', path.join(dir, 'playwright.config.ts')], env, dir);
  const refused = /item focused with '\.only' is not allowed due to the 'forbidOnly' option/;

  it('is refused by Playwright by default, with CI set or not', async () => {
    const dir = focusedSuite();
    const envs: Record<string, string>[] = [{ CI: '' }, { CI: '1' }, { CI: '1', E2E_ALLOW_ONLY: '1' }];
    for (const env of envs) {
      const run = await list(dir, env);
      assert.equal(run.exitCode, 1, `${JSON.stringify(env)}: ${run.stdout}${run.stderr}`);
      assert.match(`${run.stdout}${run.stderr}`, refused, JSON.stringify(env));
    }
  });

  it('runs only with E2E_ALLOW_ONLY=1 on a machine that is not CI', async () => {
    const run = await list(focusedSuite(), { CI: '', E2E_ALLOW_ONLY: '1' });
    assert.equal(run.exitCode, 0, `${run.stdout}${run.stderr}`);
    assert.doesNotMatch(`${run.stdout}${run.stderr}`, refused);
  });

  it('is a Biome lint error in every form, with the project’s lint configuration', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'golden-path-lint-'));
    // The project's configuration, less the git integration that a folder outside the repository lacks.
    const config = JSON.parse(readFileSync(path.join(ROOT, 'biome.json'), 'utf8')) as Record<string, unknown>;
    delete config.vcs;
    delete config.$schema;
    writeFileSync(path.join(dir, 'biome.json'), JSON.stringify(config));
    cpSync(path.join(ROOT, 'lint'), path.join(dir, 'lint'), { recursive: true });
    const forms = [
      "test.only('a', async () => {});",
      "test.describe.only('a', () => {});",
      "test.describe.serial.only('a', () => {});",
      "test.describe.parallel.only('a', () => {});",
      "describe.only('a', () => {});",
      "it.only('a', () => {});",
    ];
    writeFileSync(
      path.join(dir, 'focused.spec.ts'),
      [
        "import { test } from '@playwright/test';",
        "import { describe, it } from 'node:test';",
        ...forms,
        '',
      ].join('\n'),
    );
    const biome = path.join(ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
    const run = await runNode([biome, 'lint', '--max-diagnostics=50', 'focused.spec.ts'], {}, dir);
    const output = `${run.stdout}${run.stderr}`;
    assert.equal(run.exitCode, 1, output);
    const lines = [
      ...output.matchAll(/focused\.spec\.ts:(\d+):\d+ (lint\/suspicious\/noFocusedTests|plugin)/g),
    ]
      .map((match) => Number(match[1]))
      .sort((a, b) => a - b);
    assert.deepEqual(lines, [3, 4, 5, 6, 7, 8], output);
  });
});
