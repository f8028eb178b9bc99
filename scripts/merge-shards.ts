/**
 * `npm run merge-shards`: one set of reports from a sharded run, as if it had been one run.
 *
 *   npm run golden-path -- --shard=1/2      writes ./shards/1-of-2/ (see playwright.config.ts)
 *   npm run golden-path -- --shard=2/2      writes ./shards/2-of-2/
 *   npm run merge-shards                    merges ./shards/* into ./
 *   npm run merge-shards -- --out merged a/ b/   merges the shard folders a/ and b/ into merged/
 *
 * Each shard folder is a run's output folder (what E2E_OUTPUT_DIR points at). The merge writes:
 *   playwright-report/    the HTML report, from the shards' blob reports via
 *                         `playwright merge-reports` (HTML and JUnit only);
 *   junit/results.xml
 *   allure-results/       the shards' Allure results side by side. allure-playwright is not
 *                         run through merge-reports: it is known to break there, and its
 *                         results need no merging, only one folder;
 *   diagnosis.json        the shards' diagnoses as one, so counts and outcomes equal those
 *                         of one unsharded run (a test found in more than one shard, which
 *                         one sharded run never gives, counts once, with its worst outcome);
 *   signoff/evidence/<shard>/   each shard's preflight and token evidence, for
 *                         `npm run signoff -- --from`.
 * and adds the merged run's event latency to the latency history (shards add none themselves).
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveEnvironment } from '../harness/config.ts';
import { type EnvironmentBlock, fromProperties, gitCommit, toProperties } from '../harness/environment.ts';
import type { Diagnosis, EvidenceRecord } from '../harness/evidence-record.ts';
import { latencyHistoryPath, recordRunLatency } from '../harness/latency-history.ts';
import {
  findAll,
  outputDir,
  outputPaths,
  PLAYWRIGHT_CLI,
  ROOT,
  type RunState,
  readJson,
} from '../harness/run-context.ts';

export interface MergedDiagnosis extends Diagnosis {
  shards: { folder: string; status: string; counts: Record<string, number> }[];
}

/** Worst first: the outcome a test that ran in several shards keeps. */
const SEVERITY = ['failed', 'timedOut', 'interrupted', 'passed', 'skipped'];
const rank = (status: string) => {
  const index = SEVERITY.indexOf(status);
  return index < 0 ? 0 : index;
};
const RUN_SEVERITY = ['failed', 'timedout', 'interrupted', 'passed'];

const keyOf = (entry: EvidenceRecord) =>
  `${entry.project ?? ''}\u0000${entry.file ?? ''}\u0000${entry.title}`;

export function mergeDiagnoses(shards: { folder: string; diagnosis: Diagnosis }[]): MergedDiagnosis {
  const tests = new Map<string, EvidenceRecord>();
  for (const { diagnosis } of shards) {
    for (const entry of diagnosis.tests) {
      const key = keyOf(entry);
      const seen = tests.get(key);
      if (!seen || rank(entry.status) < rank(seen.status)) tests.set(key, entry);
    }
  }
  const counts: Record<string, number> = {};
  for (const entry of tests.values()) counts[entry.status] = (counts[entry.status] ?? 0) + 1;
  const starts = shards.map(({ diagnosis }) => Date.parse(diagnosis.startedAt)).filter(Number.isFinite);
  const ends = shards
    .map(({ diagnosis }) => Date.parse(diagnosis.startedAt) + diagnosis.durationMs)
    .filter(Number.isFinite);
  const start = starts.length > 0 ? Math.min(...starts) : Date.now();
  const status = shards
    .map(({ diagnosis }) => diagnosis.status)
    .sort((a, b) => RUN_SEVERITY.indexOf(a) - RUN_SEVERITY.indexOf(b))[0];
  return {
    status: status ?? 'failed',
    startedAt: new Date(start).toISOString(),
    durationMs: ends.length > 0 ? Math.max(...ends) - start : 0,
    counts,
    tests: [...tests.values()],
    shards: shards.map(({ folder, diagnosis }) => ({
      folder,
      status: diagnosis.status,
      counts: diagnosis.counts,
    })),
  };
}

/** Every shard's Allure results in one folder; one environment block, saying it was sharded. */
export function mergeAllureResults(shardFolders: string[], target: string): number {
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  let results = 0;
  const environments: EnvironmentBlock[] = [];
  for (const folder of shardFolders) {
    const source = outputPaths(folder).allureResults;
    if (!existsSync(source)) continue;
    for (const name of readdirSync(source)) {
      if (name === 'environment.properties') {
        environments.push(fromProperties(readFileSync(path.join(source, name), 'utf8')));
        continue;
      }
      const to = path.join(target, name);
      // categories.json and executor.json are the same in every shard; results have unique names.
      if (existsSync(to)) continue;
      copyFileSync(path.join(source, name), to);
      if (name.endsWith('-result.json')) results += 1;
    }
  }
  const first = environments[0];
  if (first) {
    const started = environments
      .map((block) => block.find(([key]) => key === 'started')?.[1])
      .filter((value): value is string => !!value)
      .sort()[0];
    const block = first.map(([key, value]): [string, string] => [
      key,
      key === 'started' && started ? started : value,
    ]);
    block.push(['shards', String(environments.length)]);
    writeFileSync(path.join(target, 'environment.properties'), toProperties(block));
  }
  return results;
}

/** The shards' blob reports through `playwright merge-reports`: one HTML report, one JUnit file. */
export function mergeHtml(shardFolders: string[], out: string): { ok: boolean; output: string } {
  const blobs = mkdtempSync(path.join(tmpdir(), 'golden-path-blobs-'));
  try {
    let count = 0;
    for (const folder of shardFolders) {
      const dir = outputPaths(folder).blobReport;
      if (!existsSync(dir)) continue;
      for (const name of readdirSync(dir).filter((file) => file.endsWith('.zip'))) {
        copyFileSync(path.join(dir, name), path.join(blobs, `${path.basename(folder)}-${name}`));
        count += 1;
      }
    }
    if (count === 0) return { ok: false, output: 'no blob reports in the shard folders' };
    const paths = outputPaths(out);
    const report = paths.htmlReport;
    rmSync(report, { recursive: true, force: true });
    const run = spawnSync(
      process.execPath,
      [PLAYWRIGHT_CLI, 'merge-reports', '--reporter', 'html,junit', blobs],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: {
          ...process.env,
          PLAYWRIGHT_HTML_OUTPUT_DIR: report,
          PLAYWRIGHT_HTML_OPEN: 'never',
          PLAYWRIGHT_JUNIT_OUTPUT_FILE: paths.junit,
        },
        timeout: 300_000,
      },
    );
    return { ok: run.status === 0, output: `${run.stdout ?? ''}${run.stderr ?? ''}` };
  } finally {
    rmSync(blobs, { recursive: true, force: true });
  }
}

/**
 * The shard folders under `<base>/shards/` (`<i>-of-<n>`), in shard order: those of the shard
 * count written last, so folders left from a run with another count are not mixed in.
 */
export function findShards(base: string): { folders: string[]; missing: number[] } {
  const dir = outputPaths(base).shards;
  if (!existsSync(dir)) return { folders: [], missing: [] };
  const shards = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const match = /^(\d+)-of-(\d+)$/.exec(entry.name);
      if (!match) return [];
      const folder = path.join(dir, entry.name);
      return [{ folder, index: Number(match[1]), total: Number(match[2]), at: statSync(folder).mtimeMs }];
    });
  const latest = [...shards].sort((a, b) => b.at - a.at)[0];
  if (!latest) return { folders: [], missing: [] };
  const chosen = shards.filter((shard) => shard.total === latest.total).sort((a, b) => a.index - b.index);
  const present = new Set(chosen.map((shard) => shard.index));
  const missing = Array.from({ length: latest.total }, (_, i) => i + 1).filter(
    (index) => !present.has(index),
  );
  return { folders: chosen.map((shard) => shard.folder), missing };
}

export function mergeShards(
  shardFolders: string[],
  out: string,
): { diagnosis: MergedDiagnosis; results: number; html: boolean } {
  const shards = shardFolders.flatMap((folder) => {
    const diagnosis = readJson<Diagnosis>(outputPaths(folder).diagnosis);
    return diagnosis ? [{ folder: path.relative(out, folder) || folder, diagnosis }] : [];
  });
  if (shards.length === 0)
    throw new Error(`no diagnosis.json in ${shardFolders.join(', ') || '(no shard folders)'}`);
  mkdirSync(out, { recursive: true });
  const diagnosis = mergeDiagnoses(shards);
  writeFileSync(outputPaths(out).diagnosis, JSON.stringify(diagnosis, null, 2));
  const results = mergeAllureResults(shardFolders, outputPaths(out).allureResults);

  const evidence = outputPaths(out).evidence;
  rmSync(evidence, { recursive: true, force: true });
  for (const folder of shardFolders) {
    const source = outputPaths(folder).evidence;
    if (!existsSync(source)) continue;
    const target = path.join(evidence, path.basename(folder));
    mkdirSync(target, { recursive: true });
    for (const name of readdirSync(source)) copyFileSync(path.join(source, name), path.join(target, name));
  }

  const html = mergeHtml(shardFolders, out);
  if (!html.ok) process.stderr.write(`merge-shards: the HTML report was not merged: ${html.output.trim()}\n`);
  return { diagnosis, results, html: html.ok };
}

/** The env the shards ran against, from their evidence (the merging machine may have no E2E_ENV). */
function shardsEnv(out: string): string | undefined {
  const states = findAll(outputPaths(out).evidence, 'run.json').map((file) => readJson<RunState>(file));
  return states.find((state) => state?.env)?.env;
}

function main(): void {
  const { values, positionals } = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true });
  const base = outputDir();
  const out = path.resolve(values.out ?? base);
  let folders = positionals.map((folder) => path.resolve(folder));
  if (folders.length === 0) {
    const found = findShards(base);
    folders = found.folders;
    if (found.missing.length > 0) {
      process.stderr.write(
        `merge-shards: shard(s) ${found.missing.join(', ')} missing: merging the others\n`,
      );
    }
  }
  try {
    const { diagnosis, results, html } = mergeShards(folders, out);
    const settings = resolveEnvironment();
    const env = shardsEnv(out) ?? settings.E2E_ENV ?? 'local';
    recordRunLatency(latencyHistoryPath(settings), diagnosis, { env, commit: gitCommit() });
    const rel = (file: string) => path.relative(process.cwd(), file) || '.';
    const counts = Object.entries(diagnosis.counts)
      .map(([status, count]) => `${count} ${status}`)
      .join(', ');
    process.stdout.write(
      [
        `merged ${diagnosis.shards.length} shard(s): ${diagnosis.status}, ${diagnosis.tests.length} tests (${counts})`,
        `  diagnosis:      ${rel(path.join(out, 'diagnosis.json'))}`,
        `  allure results: ${rel(path.join(out, 'allure-results'))} (${results} results; build the report: npm run report)`,
        `  html report:    ${html ? rel(path.join(out, 'playwright-report')) : '(not merged: see above)'}`,
        `  sign-off:       npm run signoff -- --from ${rel(out)}`,
        '',
      ].join('\n'),
    );
    if (!html) process.exit(1);
  } catch (error) {
    process.stderr.write(`merge-shards: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
