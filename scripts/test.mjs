#!/usr/bin/env node
/**
 * `npm test`: every check the project makes of itself, in order of cost, each named in the
 * output, ending with one "N passed, N failed" line. Stages:
 *   typecheck → lint → unit tests (pure logic) → the e2e suite on the bundled platform →
 *   self-tests (child runs against platforms started with faults, secret scan, tokens, ...).
 *
 * A stage passes only when its tool succeeded AND it did something: type-checked or linted at
 * least one of the project's files, or ran at least one test (skipped ones do not count). A
 * glob that matches nothing, a grep that selects no test or a stray `test.only` elsewhere must
 * not turn a stage green by running nothing.
 *
 * `npm run matrix` is one more stage, `matrix`, not run by default: every fault-matrix row, the
 * extended rows the self-test stage leaves out too (SELFTEST_MATRIX=all).
 *
 *   npm test -- <stage> ...                     only the named stages
 *   npm test -- unit -- --test-name-pattern=x   arguments after a second `--` go to the test
 *                                               stages' runners (node --test, playwright test)
 *   npm test -- unit -- test/unit/url.test.ts   test files given there replace the stage's folder
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const files = (dir) =>
  readdirSync(path.join(root, dir))
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => path.join(dir, name));
const bin = (...parts) => path.join(root, 'node_modules', ...parts);

/** What `node --test --test-reporter=spec` ran: its (last) summary's tests, less skipped and todo. */
function nodeTestsRun(output) {
  const count = (name) =>
    Number([...output.matchAll(new RegExp(`^\\S* ?${name} (\\d+)$`, 'gm'))].at(-1)?.[1] ?? Number.NaN);
  const ran = count('tests') - count('skipped') - count('todo');
  return Number.isNaN(ran)
    ? { ran: 0, what: 'tests (no summary in the output)' }
    : { ran, what: ran === 1 ? 'test' : 'tests' };
}

/** What the e2e run ran, from the diagnosis.json it wrote (a stale one is not this run's). */
function e2eTestsRun(_output, startedAt) {
  const file = path.resolve(root, process.env.E2E_OUTPUT_DIR ?? '.', 'diagnosis.json');
  if (!existsSync(file) || statSync(file).mtimeMs < startedAt)
    return { ran: 0, what: `tests (no ${path.relative(root, file)} written)` };
  const { counts = {} } = JSON.parse(readFileSync(file, 'utf8'));
  const ran = Object.entries(counts)
    .filter(([status]) => status !== 'skipped')
    .reduce((sum, [, count]) => sum + count, 0);
  return { ran, what: ran === 1 ? 'test' : 'tests' };
}

/** The stage's test files: those named among the extra arguments, else every file of its folder. */
const testFiles = (dir, extra) => {
  const named = extra.filter((arg) => arg.endsWith('.test.ts'));
  return named.length > 0 ? named : files(dir);
};
const optionsOnly = (extra) => extra.filter((arg) => !arg.endsWith('.test.ts'));
/**
 * The self-tests that take longest, longest first (wall time beside another file, measured:
 * BENCHMARKS.md), then the rest: two slots fill best when no long file starts late and runs
 * on alone at the end.
 */
const LONGEST = ['fault-matrix', 'page-shapes', 'secret-scan', 'netra-dialect', 'signoff', 'bench'].map(
  (name) => path.join('test', 'selftest', `${name}.test.ts`),
);
const longestFirst = (list) => [
  ...LONGEST.filter((file) => list.includes(file)),
  ...list.filter((file) => !LONGEST.includes(file)),
];

const isListedFile = (line) => path.isAbsolute(line) && !line.includes(`${path.sep}node_modules${path.sep}`);

const stages = {
  typecheck: {
    command: () => [bin('typescript', 'bin', 'tsc'), '--noEmit', '--listFiles'],
    // The file list is for counting; only the diagnostics are shown.
    shown: (line) => !path.isAbsolute(line),
    done: (output) => ({ ran: output.split('\n').filter(isListedFile).length, what: 'files type-checked' }),
  },
  lint: {
    command: () => [bin('@biomejs', 'biome', 'bin', 'biome'), 'check', '.'],
    done: (output) => ({ ran: Number(/Checked (\d+) files?/.exec(output)?.[1] ?? 0), what: 'files linted' }),
  },
  unit: {
    scratch: true,
    // Two files at a time (Node 20's default is one fewer than the cores: one, here): each unit
    // file is its own process, and most of its time is starting tsx.
    command: (extra) => [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      '--test-concurrency=2',
      ...optionsOnly(extra),
      ...testFiles('test/unit', extra),
    ],
    done: nodeTestsRun,
  },
  e2e: {
    command: (extra) => [bin('@playwright', 'test', 'cli.js'), 'test', ...extra],
    done: e2eTestsRun,
  },
  selftest: selftestStage(),
  // Not a default stage: every fault-matrix row, the extended ones too (`npm run matrix`).
  matrix: selftestStage({ SELFTEST_MATRIX: 'all' }, ['test/selftest/fault-matrix.test.ts']),
};

/** The self-test stage: `env` on top of the stage environment, `only` instead of the folder's files. */
function selftestStage(env = {}, only = undefined) {
  return {
    env,
    scratch: true,
    // Two files at a time: most of a self-test is waiting on its child runs, so two keep both
    // cores busy. The longest file goes first, so the others fill the second slot beside it
    // instead of leaving it to run alone at the end.
    command: (extra) => [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      '--test-concurrency=2',
      ...optionsOnly(extra),
      ...longestFirst(only ?? testFiles('test/selftest', extra)),
    ],
    done: nodeTestsRun,
  };
}
const DEFAULT_STAGES = ['typecheck', 'lint', 'unit', 'e2e', 'selftest'];

/**
 * The stages' environment. Without NODE_TEST_CONTEXT: set when this runner itself runs under
 * `node --test` (its own self-test), it would make a stage's `node --test` talk the parent
 * runner's protocol instead of printing its report.
 */
const { NODE_TEST_CONTEXT: _context, ...inherited } = process.env;
const stageEnv = { ...inherited, FORCE_COLOR: '0' };

/**
 * A stage's own temporary folder (TMPDIR) for stages marked `scratch`: the output folders of the
 * self-tests' child runs, their platforms' state and their browsers' profiles all go under it.
 * Removed when the stage passes; kept, and named, when it fails, since it holds the evidence.
 * Without it each `npm test` left some 150 folders behind in the system's temporary folder.
 */
const scratchFor = (name) => mkdtempSync(path.join(tmpdir(), `golden-path-${name}-`));

/** Run one stage, its output shown as it comes (filtered by `shown`) and kept for counting. */
function runStage(stage, extra, scratch) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, stage.command(extra), {
      cwd: root,
      stdio: ['inherit', 'pipe', 'pipe'],
      env: { ...stageEnv, ...stage.env, ...(scratch ? { TMPDIR: scratch } : {}) },
    });
    let output = '';
    const pass = (stream, target) => {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        output += chunk;
        if (!stage.shown) return target.write(chunk);
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) if (stage.shown(line)) target.write(`${line}\n`);
      });
      stream.on('end', () => {
        if (pending && (!stage.shown || stage.shown(pending))) target.write(pending);
      });
    };
    pass(child.stdout, process.stdout);
    pass(child.stderr, process.stderr);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const separator = process.argv.indexOf('--', 2);
const own = separator < 0 ? process.argv.slice(2) : process.argv.slice(2, separator);
const extra = separator < 0 ? [] : process.argv.slice(separator + 1);
const unknown = own.filter((arg) => !(arg in stages));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown stage(s): ${unknown.join(', ')}; the stages are ${Object.keys(stages).join(', ')}\n`,
  );
  process.exit(2);
}

const results = [];
for (const name of own.length > 0 ? own : DEFAULT_STAGES) {
  const stage = stages[name];
  process.stdout.write(`\n=== ${name}\n`);
  const started = Date.now();
  const scratch = stage.scratch ? scratchFor(name) : undefined;
  const { code, output } = await runStage(
    stage,
    name === 'typecheck' || name === 'lint' ? [] : extra,
    scratch,
  );
  const { ran, what } = stage.done(output, started);
  const ok = code === 0 && ran > 0;
  if (scratch && ok) rmSync(scratch, { recursive: true, force: true });
  else if (scratch)
    process.stdout.write(`${name}: its temporary files (child runs' output) are kept in ${scratch}\n`);
  results.push({
    name,
    ok,
    note: code !== 0 ? `exit ${code}, ${ran} ${what}` : ran > 0 ? `${ran} ${what}` : `ran nothing: 0 ${what}`,
    seconds: ((Date.now() - started) / 1000).toFixed(1),
  });
}
process.stdout.write('\n=== summary\n');
for (const result of results)
  process.stdout.write(
    `${result.ok ? 'pass' : 'FAIL'}  ${result.name} (${result.seconds} s): ${result.note}\n`,
  );
const failed = results.filter((result) => !result.ok).length;
process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
