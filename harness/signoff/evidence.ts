/**
 * The sign-off's file side: gathering a run's evidence from its output folder (and, for a run
 * the sign-off started itself, the state folder), and writing the verdict beside it.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type EnvironmentBlock, environmentBlock, fromProperties, gitCommit } from '../environment.ts';
import type { Diagnosis } from '../evidence-record.ts';
import { historyRuns, readLatencyHistory } from '../latency-history.ts';
import { latencyTrendSvg, TREND_RUNS } from '../latency-trend-svg.ts';
import type { PreflightResult } from '../preflight.ts';
import { findAll, outputPaths, type RunState, readJson } from '../run-context.ts';
import type { SecretRegistry } from '../secret-registry.ts';
import { toMarkdown } from './render.ts';
import type { Evidence, SignoffVerdict } from './verdict.ts';

const rel = (file: string) => path.relative(process.cwd(), file) || file;

/**
 * The evidence in an output folder, ignoring anything written before `since` (ms). The
 * preflight and token records come from `<out>/signoff/evidence/` (one per shard after a
 * merge), else from `stateDir` when given.
 */
export function gatherEvidence(out: string, stateDir: string | undefined, since = 0): Evidence {
  const sources: string[] = [];
  const paths = outputPaths(out);
  const diagnosis = readJson<Diagnosis>(paths.diagnosis, since);
  if (diagnosis) sources.push(rel(paths.diagnosis));
  const read = <T>(name: string): T[] => {
    let files = findAll(paths.evidence, name);
    if (files.length === 0 && stateDir) files = [path.join(stateDir, name)];
    return files.flatMap((file) => {
      const value = readJson<T>(file, since);
      if (value) sources.push(rel(file));
      return value ? [value] : [];
    });
  };
  return {
    ...(diagnosis ? { diagnosis } : {}),
    preflights: read<PreflightResult>('preflight.json'),
    states: read<RunState>('run.json'),
    sources,
  };
}

/** The context block: this run's environment, as the Allure extras wrote it, else from run.json. */
export function contextOf(out: string, evidence: Evidence, since = 0): EnvironmentBlock {
  const file = path.join(outputPaths(out).allureResults, 'environment.properties');
  try {
    if (statSync(file).mtimeMs >= since) return fromProperties(readFileSync(file, 'utf8'));
  } catch {
    // No environment block from this run: build one from the run state.
  }
  const state = evidence.states[0];
  const commit = gitCommit();
  return environmentBlock({
    ...(state ? { env: state.env, urls: state.urls, services: state.preflight.services } : {}),
    ...(commit ? { commit } : {}),
  });
}

/**
 * The env's runs in the latency history, oldest first: the last TREND_RUNS for the trend, and
 * those before `thisRun` (the run's start, its id in the history) for the drift flag.
 */
export function envHistory(file: string, env: string, thisRun: string | undefined) {
  const runs = historyRuns(readLatencyHistory(file), env);
  return { recent: runs.slice(-TREND_RUNS), earlier: runs.filter((run) => run.run !== thisRun) };
}

/** The trend picture under `<out>/signoff/`, beside the verdict; returns its path. */
export function writeTrend(out: string, env: string, runs: Parameters<typeof latencyTrendSvg>[0]['runs']) {
  const dir = outputPaths(out).signoff;
  const file = path.join(dir, 'latency-trend.svg');
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, latencyTrendSvg({ env, runs }));
  return rel(file);
}

/** verdict.json and verdict.md under `<out>/signoff/`, masked; returns the Markdown file. */
export function writeVerdict(out: string, verdict: SignoffVerdict, secrets: SecretRegistry): string {
  const dir = outputPaths(out).signoff;
  const markdown = path.join(dir, 'verdict.md');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'verdict.json'), secrets.mask(`${JSON.stringify(verdict, null, 2)}\n`));
  writeFileSync(markdown, secrets.mask(toMarkdown(verdict)));
  return rel(markdown);
}
