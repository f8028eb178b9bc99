/**
 * Setup steps that say one line each: what is being done, then how long it took. A tool's full
 * output goes to a log file under the state folder (`.golden-path/` by default), never to the
 * terminal; when the step fails, the log's last lines are printed and the whole log is named.
 * Plain JavaScript: scripts/prepare.mjs uses it before any dependency is installed.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

/** How much of a failed step's log is printed. */
export const TAIL_LINES = 40;

const write = (text) => process.stderr.write(text);

/** `[prepare] <line>` on stderr. */
export function say(line) {
  write(`[prepare] ${line}\n`);
}

/** Where the setup logs go: the state folder (E2E_STATE_DIR, else `.golden-path`) under `root`. */
export function logFile(root, name) {
  return path.join(path.resolve(root, process.env.E2E_STATE_DIR || '.golden-path'), 'logs', name);
}

/** The last `count` lines of a file. */
export function tail(file, count = TAIL_LINES) {
  if (!existsSync(file)) return '';
  const lines = readFileSync(file, 'utf8').replace(/\n$/, '').split('\n');
  return lines.slice(-count).join('\n');
}

/** Start a fresh log for a step. */
export function startLog(file) {
  mkdirSync(path.dirname(file), { recursive: true });
  closeSync(openSync(file, 'w'));
}

/** Run `command` with stdout and stderr appended to `file`; true when it exits 0. */
export function runLogged(file, command, args, options = {}) {
  const fd = openSync(file, 'a');
  try {
    writeSync(fd, `$ ${[command, ...args].join(' ')}\n`);
    const result = spawnSync(command, args, { ...options, stdio: ['ignore', fd, fd] });
    if (result.error) writeSync(fd, `${result.error.message}\n`);
    writeSync(fd, `(exit ${result.status ?? result.signal})\n`);
    return result.status === 0;
  } finally {
    closeSync(fd);
  }
}

/**
 * One step: `label`, then, on the same line, its time. `work` returns true on success. On
 * failure, the last TAIL_LINES lines of `file` and where the rest is.
 */
export function step(label, file, work) {
  write(`[prepare] ${label} ... `);
  const started = performance.now();
  startLog(file);
  const ok = work();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const shown = path.relative(process.cwd(), file) || file;
  if (ok) {
    write(`done in ${seconds} s (log: ${shown})\n`);
    return true;
  }
  write(`FAILED after ${seconds} s\n`);
  say(`the last ${TAIL_LINES} lines of ${shown}:`);
  const last = tail(file);
  if (last) write(`${last}\n`);
  say(`the whole log: ${file}`);
  return false;
}
