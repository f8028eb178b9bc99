/** What every bench section gets: its options, a scratch folder, a logger, and machine quietness checks. */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from '@playwright/test';
import { launchBrowser } from './browser-journey.ts';
import { processTree } from './proc.ts';

export interface BenchOptions {
  /** The tiny version `npm test` runs: 1 iteration, few frames, few users. */
  quick: boolean;
  sections: SectionName[];
  /** Alternated iterations per way in the overhead section (≥ 10 for the report). */
  iterations: number;
  floodFrames: number;
  /** Child runs per tracing mode in the flood section. */
  floodRuns: number;
  concurrency: number[];
  /** Golden paths per worker in the concurrency section. */
  pathsPerWorker: number;
  coldRuns: number;
  /** Which suites the cold section times: `all` (every spec, as `npm run golden-path`) and/or `golden-path`. */
  coldSpecs: string[];
  /** Candidate changes to measure in the cold section (BENCH_VARIANT of the bench config). */
  variants: string[];
  out: string;
  /** Skip the wait for other runs on the machine to finish. */
  noQuietWait: boolean;
}

export const SECTION_NAMES = [
  'overhead',
  'flood',
  'concurrency',
  'cold',
  'tokens',
  'latency',
  'verdict',
] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

export interface BenchContext {
  options: BenchOptions;
  /** Scratch folder for this bench run (child outputs, generated specs). */
  workDir: string;
  log: (line: string) => void;
  /** Conditions worth knowing when reading the numbers (other runs seen, waits). */
  notes: string[];
  /** A fresh folder under the scratch folder. */
  dir: (name: string) => string;
  /**
   * The bench's own warm Chromium, launched on first use and shared by every in-process
   * measurement (the machine's browser version, the UI floor, the recorder's cost): each launch
   * costs about a CPU-second, and those measurements want a browser that is already up.
   */
  browser: () => Promise<Browser>;
  /** Close what the context opened (the shared browser). */
  close: () => Promise<void>;
  /** Variables for every Playwright child run (E2E_REPORT=minimal in --quick). */
  childEnv: Record<string, string>;
}

export function createContext(options: BenchOptions, log: (line: string) => void): BenchContext {
  const workDir = mkdtempSync(path.join(tmpdir(), 'golden-path-bench-'));
  let counter = 0;
  let browser: Promise<Browser> | undefined;
  return {
    options,
    workDir,
    log,
    notes: [],
    browser: () => {
      browser ??= launchBrowser();
      return browser;
    },
    close: async () => {
      if (browser) await (await browser).close();
    },
    // --quick checks the shape of the numbers, not the reports: the HTML, JUnit and Allure
    // reporters would cost each child run about a CPU-second for files nothing reads.
    childEnv: options.quick ? { E2E_REPORT: 'minimal' } : {},
    dir: (name) => {
      counter += 1;
      const dir = path.join(workDir, `${String(counter).padStart(2, '0')}-${name}`);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
  };
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Browsers and Playwright runs on this machine that are not the bench's own. */
export function foreignRuns(): number {
  const own = new Set(processTree(process.pid).map((stat) => stat.pid));
  const all = processTree(1);
  return all.filter((stat) => {
    if (own.has(stat.pid)) return false;
    // /proc truncates names to 15 characters: the headless shell shows as "chromium-headle".
    if (stat.name.startsWith('chromium') || stat.name === 'chrome') {
      // Count browsers, not their helper processes.
      return !commandLine(stat.pid).includes('--type=');
    }
    return stat.name === 'node' && /playwright|platform\/main\.ts/.test(commandLine(stat.pid));
  }).length;
}

/**
 * Other engineers' runs share the two cores: wait (up to `maxMs`) until none is seen twice in
 * a row, and note it when the machine never went quiet.
 */
export async function waitForQuiet(context: BenchContext, label: string, maxMs = 120_000): Promise<void> {
  if (context.options.noQuietWait) return;
  const started = Date.now();
  let quietPolls = 0;
  let busy = foreignRuns();
  while (Date.now() - started < maxMs) {
    busy = foreignRuns();
    quietPolls = busy === 0 ? quietPolls + 1 : 0;
    if (quietPolls >= 2) break;
    await sleep(2_000);
  }
  const waited = Date.now() - started;
  if (busy > 0) {
    context.notes.push(
      `${label}: ${busy} other browser/Playwright process(es) were running during the measurement`,
    );
    context.log(`  (machine not quiet: ${busy} other run process(es); measuring anyway)`);
  } else if (waited > 5_000) {
    context.log(`  (waited ${Math.round(waited / 1000)} s for other runs to finish)`);
  }
}

export const loadAverage = (): number[] => loadavg().map((value) => Number(value.toFixed(2)));
