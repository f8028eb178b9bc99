/**
 * A newcomer's first `npm run golden-path`, on a fresh clone, prints at most 30 lines before the
 * first test result. The clone is a real `git clone` of this checkout; only the install is
 * faked, to keep the test fast and offline: an `npm` first on PATH that prints 300 lines, as
 * `npm ci` does, and links this checkout's node_modules. This machine has Debian's Chromium, so
 * the browser step finds it (the apt install goes through the same quiet step, unit-tested in
 * test/unit/quiet-step.test.ts). The run itself is real: the preflight spec against the
 * reference platform.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { harnessEnv, ROOT, type RunningPlatform, startPlatform, withoutE2E } from '../support/platform.ts';

const MAX_LINES = 30;
const NOISE_LINES = 300;

let platform: RunningPlatform;
let output: string[];
let exitCode: number | null;
let clone: string;

before(async () => {
  platform = await startPlatform();
  const base = mkdtempSync(path.join(tmpdir(), 'golden-path-fresh-'));
  clone = path.join(base, 'clone');
  execFileSync('git', ['clone', '--quiet', '--shared', ROOT, clone]);
  const bin = path.join(base, 'bin');
  mkdirSync(bin);
  const npm = path.join(bin, 'npm');
  writeFileSync(
    npm,
    [
      '#!/bin/sh',
      `i=0; while [ $i -lt ${NOISE_LINES} ]; do i=$((i+1)); echo "npm ci noise line $i"; done`,
      `ln -s ${JSON.stringify(path.join(ROOT, 'node_modules'))} node_modules`,
      '',
    ].join('\n'),
  );
  chmodSync(npm, 0o755);
  const realNpm = execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
  // One file for stdout and stderr: the lines in the order the newcomer sees them.
  const log = path.join(base, 'terminal.log');
  const fd = openSync(log, 'w');
  const child = spawn(realNpm, ['run', 'golden-path', '--', '--grep', '@preflight'], {
    cwd: clone,
    env: {
      ...withoutE2E(),
      ...harnessEnv(platform.urls, { E2E_REPORT: 'minimal' }),
      PATH: `${bin}:${process.env.PATH}`,
      E2E_OUTPUT_DIR: path.join(base, 'out'),
      FORCE_COLOR: '0',
      CI: '',
    },
    stdio: ['ignore', fd, fd],
  });
  exitCode = await new Promise((resolve) => child.on('close', resolve));
  closeSync(fd);
  output = readFileSync(log, 'utf8').split('\n');
});

after(async () => {
  await platform?.stop();
});

describe('a fresh clone, first run', { timeout: 120_000 }, () => {
  it(`prints at most ${MAX_LINES} lines before the first test result, the install's own in a log`, () => {
    const text = output.join('\n');
    assert.equal(exitCode, 0, text.slice(-3000));
    const first = output.findIndex((line) => /›.*preflight/.test(line));
    assert.ok(first >= 0, `no test result line:\n${text}`);
    const before = output.slice(0, first);
    assert.ok(
      before.length <= MAX_LINES,
      `${before.length} lines before the first test:\n${before.join('\n')}`,
    );
    assert.ok(
      before.some((line) =>
        /^\[prepare\] installing dependencies \(npm ci\) \.\.\. done in \d+\.\d s/.test(line),
      ),
      before.join('\n'),
    );
    assert.ok(
      before.some((line) => /^\[prepare\] browser found: /.test(line)),
      before.join('\n'),
    );
    assert.doesNotMatch(text, /npm ci noise line/);
    const npmLog = path.join(clone, '.golden-path', 'logs', 'npm-ci.log');
    assert.ok(existsSync(npmLog), 'no npm-ci.log');
    assert.match(readFileSync(npmLog, 'utf8'), new RegExp(`npm ci noise line ${NOISE_LINES}\\n`));
  });
});
