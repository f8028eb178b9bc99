/**
 * `npm run report`: the Allure 3 HTML report of the last run (no Java: the `allure` npm CLI),
 * configured by allurerc.mjs. It writes, under `<output>/allure-report/`:
 *   awesome/index.html       the report as a folder; serve it: npx allure open <that folder>
 *   single-file/index.html   the same report in one file that opens from disk (mail, chat)
 *   index.html               Allure's summary page linking both
 * and adds this run to the history file (trends, flaky tests) that the next report reads. The
 * latency trend of the results' env (p50 per event over its last runs in the latency history,
 * harness/latency-history.ts) goes into the report as a global attachment.
 *
 * Options: --results <dir> (default <output>/allure-results), --report <dir> (default
 * <output>/allure-report), --history <file> (default <state dir>/allure-history.jsonl),
 * where <output> is E2E_OUTPUT_DIR or `.`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { rewriteFiles } from '../harness/artifacts.ts';
import { resolveEnvironment } from '../harness/config.ts';
import { historyRuns, latencyHistoryPath, readLatencyHistory } from '../harness/latency-history.ts';
import { latencyTrendSvg, TREND_RUNS } from '../harness/latency-trend-svg.ts';
import { knownSecrets, outputDir, outputPaths, ROOT, stateDirOf } from '../harness/run-context.ts';

export interface ReportPaths {
  results: string;
  report: string;
  history: string;
}

export interface BuiltReport extends ReportPaths {
  folder: string;
  singleFile: string;
  stats: Record<string, number>;
  name: string;
}

/**
 * Allure's page template loads Google's tag manager and reports the report's id to it. A report
 * of a staging run, opened by whoever it is sent to, calls no third party: the tag goes.
 */
const TRACKER =
  /\s*<script async src="https:\/\/www\.googletagmanager\.com\/[^"]*"><\/script>\s*<script>\s*window\.dataLayer[\s\S]*?<\/script>/g;

export function withoutTracker(html: string): string {
  return html.replace(TRACKER, '');
}

export function defaultPaths(env: NodeJS.ProcessEnv = process.env): ReportPaths {
  const out = outputPaths(outputDir(env));
  return {
    results: out.allureResults,
    report: out.allureReport,
    history: path.resolve(
      env.E2E_ALLURE_HISTORY ?? path.join(stateDirOf(undefined, env), 'allure-history.jsonl'),
    ),
  };
}

/** Allure reads `*-globals.json`: attachments of the whole run, shown beside its tests. */
const TREND_GLOBALS = 'golden-path-latency-trend-globals.json';
const TREND_ATTACHMENT = 'golden-path-latency-trend-attachment.svg';

/** The latency trend of the results' env as a global attachment of the report. */
export function attachLatencyTrend(results: string, historyFile: string): void {
  const properties = path.join(results, 'environment.properties');
  const env = existsSync(properties)
    ? /^env=(.*)$/m.exec(readFileSync(properties, 'utf8'))?.[1]?.trim()
    : undefined;
  const runs = historyRuns(readLatencyHistory(historyFile), env ?? 'local').slice(-TREND_RUNS);
  writeFileSync(path.join(results, TREND_ATTACHMENT), latencyTrendSvg({ env: env ?? 'local', runs }));
  const attachment = {
    name: 'latency-trend.svg',
    type: 'image/svg+xml',
    source: TREND_ATTACHMENT,
    timestamp: Date.now(),
  };
  writeFileSync(path.join(results, TREND_GLOBALS), JSON.stringify({ attachments: [attachment], errors: [] }));
}

export function buildReport(
  paths: ReportPaths,
  latencyHistory = latencyHistoryPath(resolveEnvironment()),
): BuiltReport {
  const results = existsSync(paths.results)
    ? readdirSync(paths.results).filter((name) => name.endsWith('-result.json'))
    : [];
  if (results.length === 0) throw new Error(`no test results in ${paths.results}: run the tests first`);
  attachLatencyTrend(paths.results, latencyHistory);
  rmSync(paths.report, { recursive: true, force: true });
  const run = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'allure', 'cli.js'),
      'generate',
      '--config',
      path.join(ROOT, 'allurerc.mjs'),
      paths.results,
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        E2E_ALLURE_RESULTS: paths.results,
        E2E_ALLURE_REPORT: paths.report,
        E2E_ALLURE_HISTORY: paths.history,
        NO_COLOR: '1',
      },
      encoding: 'utf8',
      timeout: 300_000,
    },
  );
  const folder = path.join(paths.report, 'awesome', 'index.html');
  const singleFile = path.join(paths.report, 'single-file', 'index.html');
  if (run.status !== 0 || !existsSync(folder) || !existsSync(singleFile)) {
    throw new Error(
      `allure generate failed (exit ${run.status ?? run.signal}):\n${run.stdout ?? ''}${run.stderr ?? ''}`,
    );
  }
  for (const page of [folder, singleFile, path.join(paths.report, 'index.html')]) {
    if (existsSync(page)) writeFileSync(page, withoutTracker(readFileSync(page, 'utf8')));
  }
  // The results were scrubbed when written; one more pass over what Allure made of them.
  const secrets = knownSecrets();
  rewriteFiles([paths.report], (text) => secrets.mask(text));
  const summary = JSON.parse(readFileSync(path.join(paths.report, 'awesome', 'summary.json'), 'utf8')) as {
    stats?: Record<string, number>;
    name?: string;
  };
  return { ...paths, folder, singleFile, stats: summary.stats ?? {}, name: summary.name ?? '' };
}

function main(): void {
  const { values } = parseArgs({
    options: { results: { type: 'string' }, report: { type: 'string' }, history: { type: 'string' } },
  });
  const defaults = defaultPaths();
  const paths: ReportPaths = {
    results: path.resolve(values.results ?? defaults.results),
    report: path.resolve(values.report ?? defaults.report),
    history: path.resolve(values.history ?? defaults.history),
  };
  try {
    const built = buildReport(paths);
    const rel = (file: string) => path.relative(process.cwd(), file) || file;
    const counts = Object.entries(built.stats)
      .filter(([key]) => key !== 'total' && key !== 'new')
      .map(([key, count]) => `${count} ${key}`)
      .join(', ');
    process.stdout.write(
      [
        `Allure report "${built.name}": ${built.stats.total ?? 0} tests (${counts})`,
        `  report:      ${rel(built.folder)}  (serve it: npx allure open ${rel(path.dirname(built.folder))})`,
        `  single file: ${rel(built.singleFile)}  (opens from disk; send it by mail or chat)`,
        `  history:     ${rel(built.history)}`,
        '',
      ].join('\n'),
    );
  } catch (error) {
    process.stderr.write(`report: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
