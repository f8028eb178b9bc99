/**
 * The run's last words on the console: counts, the cause of each failure, the five events and
 * their times since the message was sent, where the reports are. It reads them from the
 * evidence records (diagnosis.json, written by reporters/evidence-record.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FullResult, Reporter } from '@playwright/test/reporter';
import type { Diagnosis } from '../harness/evidence-record.ts';
import { outputDir, outputPaths, readJson } from '../harness/run-context.ts';

/** Where the other reporters' output is, and the commands that take it further. */
function whereReportsAre(out: string): string[] {
  const rel = (file: string) => path.relative(process.cwd(), file) || '.';
  const lines: string[] = [];
  const html = path.join(out, 'playwright-report');
  if (existsSync(path.join(html, 'index.html'))) {
    lines.push(`  html report: ${rel(html)} (npx playwright show-report ${rel(html)})`);
  }
  if (existsSync(path.join(out, 'allure-results'))) {
    lines.push(
      `  allure results: ${rel(path.join(out, 'allure-results'))} (npm run report builds the Allure report)`,
    );
  }
  if (existsSync(path.join(out, 'blob-report'))) {
    lines.push('  this is one shard: after the others, npm run merge-shards merges them');
  } else {
    lines.push('  sign-off verdict: npm run signoff (writes signoff/verdict.md)');
  }
  return lines;
}

export default class RunSummaryReporter implements Reporter {
  private readonly diagnosisFile: string;

  constructor(options: { diagnosisFile?: string } = {}) {
    this.diagnosisFile = path.resolve(options.diagnosisFile ?? outputPaths(outputDir()).diagnosis);
  }

  /** After the evidence-record reporter's onEnd, which wrote the run's records. */
  onEnd(result: FullResult): void {
    const diagnosis = readJson<Diagnosis>(this.diagnosisFile);
    const counts = diagnosis?.counts ?? {};
    const entries = diagnosis?.tests ?? [];
    const lines = [
      '',
      `golden-path: ${result.status} — ${
        Object.entries(counts)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ') || 'no tests ran'
      }`,
    ];
    for (const entry of entries) {
      if (entry.timeline && entry.timeline.length > 0) {
        const firsts = new Map<string, number>();
        for (const item of entry.timeline) if (!firsts.has(item.type)) firsts.set(item.type, item.ms);
        lines.push(
          `  ${entry.title}: ${[...firsts].map(([type, ms]) => `${type} +${ms}ms`).join(', ')} (since the message was sent)`,
        );
      }
      if (entry.status !== 'passed' && entry.status !== 'skipped') {
        lines.push(`  ✗ ${entry.title}: ${entry.summary ?? entry.status}`);
      }
    }
    lines.push(`  diagnosis: ${path.relative(process.cwd(), this.diagnosisFile) || this.diagnosisFile}`);
    lines.push(...whereReportsAre(path.dirname(this.diagnosisFile)));
    process.stdout.write(`${lines.join('\n')}\n`);
  }

  printsToStdio(): boolean {
    return true;
  }
}
