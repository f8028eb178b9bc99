/**
 * Setup steps print one line each and keep the tool's output in a log; a failed step prints the
 * log's last 40 lines and where the whole log is. Run in a child process, as prepare.mjs runs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

const MODULE = pathToFileURL(path.resolve(import.meta.dirname, '../../harness/quiet-step.mjs')).href;

/** A step running a tool that prints 500 numbered lines and exits with `exitCode`. */
function runStep(exitCode: number) {
  const state = mkdtempSync(path.join(tmpdir(), 'quiet-step-'));
  const tool = `for (let i = 1; i <= 500; i++) console.log('tool line ' + i); process.exit(${exitCode});`;
  const script = `
    import { logFile, runLogged, step } from ${JSON.stringify(MODULE)};
    const log = logFile(process.cwd(), 'tool.log');
    const ok = step('installing something', log, () => runLogged(log, process.execPath, ['-e', ${JSON.stringify(tool)}]));
    process.exit(ok ? 0 : 1);`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: state,
    env: { ...process.env, E2E_STATE_DIR: path.join(state, 'state') },
    encoding: 'utf8',
  });
  return { ...child, log: path.join(state, 'state', 'logs', 'tool.log') };
}

describe('a quiet setup step', () => {
  it('prints one line with its time on success, and keeps the whole output in the log', () => {
    const run = runStep(0);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '');
    const lines = run.stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, run.stderr);
    assert.match(
      lines[0] ?? '',
      /^\[prepare\] installing something \.\.\. done in \d+\.\d s \(log: .*tool\.log\)$/,
    );
    const log = readFileSync(run.log, 'utf8');
    assert.match(log, /tool line 1\n/);
    assert.match(log, /tool line 500\n/);
  });

  it('prints the last 40 lines of the log on failure, and where the rest is', () => {
    const run = runStep(3);
    assert.equal(run.status, 1);
    const lines = run.stderr.split('\n').filter(Boolean);
    assert.match(lines[0] ?? '', /installing something \.\.\. FAILED after \d+\.\d s$/);
    assert.match(lines[1] ?? '', /the last 40 lines of .*tool\.log:$/);
    const shown = lines.slice(2, -1);
    assert.equal(shown.length, 40);
    assert.equal(shown[0], 'tool line 462');
    assert.equal(shown.at(-1), '(exit 3)');
    assert.equal(lines.at(-1), `[prepare] the whole log: ${run.log}`);
  });
});
