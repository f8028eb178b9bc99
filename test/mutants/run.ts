/**
 * `npm run mutants [-- name ...]`: each mutant of test/mutants/table.ts applied to a copy of the
 * working tree (tracked and new files, node_modules linked), and its catchers run there. A
 * catcher counts only if it passes without the mutant (once, before any mutant) and fails with
 * it. Prints one line per mutant and catcher with the tests that failed; exits 1 if any mutant
 * survived a catcher that claims it, or a catcher failed on the unmutated copy.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mutate } from './apply.ts';
import { type Catcher, MUTANTS } from './table.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function copyWorkingTree(): string {
  const copy = mkdtempSync(path.join(tmpdir(), 'golden-path-mutants-'));
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    const to = path.join(copy, file);
    mkdirSync(path.dirname(to), { recursive: true });
    try {
      copyFileSync(path.join(ROOT, file), to);
    } catch (error) {
      // A tracked file deleted in the working tree is not part of what is tested.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  return copy;
}

interface Outcome {
  exitCode: number;
  /** Names of the tests that failed, as node's spec reporter prints them. */
  failed: string[];
  seconds: number;
}

function runCatcher(copy: string, catcher: Catcher): Promise<Outcome> {
  const args = ['--import', 'tsx', '--test', '--test-reporter=spec'];
  if (catcher.pattern) args.push(`--test-name-pattern=${catcher.pattern}`);
  args.push(catcher.file);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: copy, env: { ...process.env, CI: 'true' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const failed = [...output.matchAll(/^\s*✖ (.+?) \(\d/gm)].map((match) => match[1] ?? '');
      resolve({
        exitCode: code ?? 1,
        failed: [...new Set(failed)],
        seconds: (performance.now() - started) / 1000,
      });
    });
  });
}

const label = (catcher: Catcher) => `${catcher.file}${catcher.pattern ? ` /${catcher.pattern}/` : ''}`;

async function main(): Promise<number> {
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !MUTANTS.some((mutant) => mutant.name === name));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown mutant(s): ${unknown.join(', ')}; known: ${MUTANTS.map((m) => m.name).join(', ')}\n`,
    );
    return 2;
  }
  const chosen = only.length > 0 ? MUTANTS.filter((mutant) => only.includes(mutant.name)) : MUTANTS;
  const copy = copyWorkingTree();
  let problems = 0;
  try {
    const baseline = new Map<string, Outcome>();
    for (const catcher of chosen.flatMap((mutant) => mutant.catchers)) {
      if (baseline.has(label(catcher))) continue;
      const outcome = await runCatcher(copy, catcher);
      baseline.set(label(catcher), outcome);
      const ok = outcome.exitCode === 0;
      if (!ok) problems += 1;
      process.stdout.write(
        `${ok ? 'pass' : 'FAIL'}  unmutated  ${label(catcher)} (${outcome.seconds.toFixed(1)} s)${ok ? '' : `: fails without any mutant: ${outcome.failed.join('; ')}`}\n`,
      );
    }
    for (const mutant of chosen) {
      const file = path.join(copy, mutant.file);
      const original = readFileSync(file, 'utf8');
      writeFileSync(file, mutate(original, mutant));
      try {
        for (const catcher of mutant.catchers) {
          const outcome = await runCatcher(copy, catcher);
          const caught = outcome.exitCode !== 0;
          if (!caught) problems += 1;
          const said = caught
            ? `caught by: ${outcome.failed.join('; ') || `exit ${outcome.exitCode}`}`
            : 'SURVIVED';
          process.stdout.write(
            `${caught ? 'pass' : 'FAIL'}  ${mutant.name}  ${label(catcher)} (${outcome.seconds.toFixed(1)} s): ${said}\n`,
          );
        }
      } finally {
        writeFileSync(file, original);
      }
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
  process.stdout.write(
    problems === 0 ? 'every mutant was caught by every catcher that claims it\n' : `${problems} problem(s)\n`,
  );
  return problems === 0 ? 0 : 1;
}

process.exitCode = await main();
