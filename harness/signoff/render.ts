/** The verdict for people: `verdict.md`, and the lines the sign-off prints. */
import { saySkipped } from '../skipped-cases.ts';
import type { CriterionStatus, SignoffVerdict } from './verdict.ts';

export const STATUS_WORD: Record<CriterionStatus, string> = {
  passed: 'PASS',
  failed: 'FAIL',
  unproven: 'NO EVIDENCE',
};

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const coded = (code: string | undefined, quote = '`') => (code ? `${quote}[${code}]${quote} ` : '');

/** Cases that did not run, by criterion: part of the summary wherever the verdict is stated. */
function notRunOf(verdict: SignoffVerdict): string {
  const said = verdict.criteria
    .filter((criterion) => criterion.skipped?.length)
    .map((criterion) => `${criterion.title}: ${saySkipped(criterion.skipped ?? [])}`);
  return said.length > 0 ? ` Not run: ${cell(said.join('; '))}.` : '';
}

export function toMarkdown(verdict: SignoffVerdict): string {
  const lines = [`# Sign-off: ${verdict.verdict}`, ''];
  if (verdict.cause) {
    lines.push(
      `**${verdict.verdict}**. Cause: ${coded(verdict.cause.code)}${cell(verdict.cause.summary)}`,
      '',
    );
  } else {
    lines.push(`**APPROVED**: every criterion passed, with the evidence below.${notRunOf(verdict)}`, '');
  }
  lines.push('| result | criterion | codes | evidence |', '|---|---|---|---|');
  for (const criterion of verdict.criteria) {
    lines.push(
      `| ${STATUS_WORD[criterion.status]} | ${criterion.title} | ${criterion.codes.map((code) => `\`${code}\``).join(' ')} | ${cell(criterion.evidence)} |`,
    );
  }
  if (verdict.latency.length > 0) {
    lines.push(
      '',
      '## Event latency',
      '',
      'Milliseconds from the message being sent to the first frame of each event, measured in the browser.',
      '',
      '| event | runs | p50 | max |',
      '|---|---|---|---|',
    );
    for (const item of verdict.latency)
      lines.push(`| ${item.event} | ${item.runs} | ${item.p50} | ${item.max} |`);
    if (verdict.drift) lines.push('', `Latency drift: ${cell(verdict.drift.note)}.`);
  }
  if (verdict.failures.length > 0) {
    lines.push('', '## Failures, first cause first', '');
    for (const failure of verdict.failures)
      lines.push(`- ${coded(failure.code)}${cell(failure.title)}: ${cell(failure.summary)}`);
  }
  if (verdict.warnings.length > 0) {
    lines.push('', '## Warnings (they do not change the verdict)', '');
    for (const warning of verdict.warnings) lines.push(`- ${cell(warning)}`);
  }
  if (verdict.outOfScope.length > 0) {
    lines.push('', '## Outside the sign-off (not counted)', '');
    for (const item of verdict.outOfScope) lines.push(`- ${cell(item.title)}: ${item.status}`);
  }
  lines.push('', '## Context', '', '| | |', '|---|---|');
  for (const [key, value] of verdict.context) lines.push(`| ${key} | ${cell(value)} |`);
  if (verdict.run) {
    const counts = Object.entries(verdict.run.counts)
      .map(([status, count]) => `${count} ${status}`)
      .join(', ');
    lines.push(`| test run | ${verdict.run.status}, ${counts}, started ${verdict.run.startedAt} |`);
  }
  lines.push(
    `| decided | ${verdict.decidedAt} |`,
    '',
    `Evidence: ${verdict.evidence.join(', ') || '(none)'}`,
    '',
  );
  return lines.join('\n');
}

/** The verdict in a few console lines: the verdict, its cause, one line per criterion. */
export function toConsole(verdict: SignoffVerdict, where: string, trend?: string): string {
  const lines = ['', `sign-off: ${verdict.verdict}`];
  if (verdict.cause) lines.push(`  cause: ${coded(verdict.cause.code, '')}${verdict.cause.summary}`);
  for (const criterion of verdict.criteria) {
    const codes = criterion.codes.length ? ` [${criterion.codes.join(', ')}]` : '';
    // A criterion with a case not run says so on its line, with its evidence ("3 of 4 ...").
    const said = criterion.skipped?.length ? `: ${criterion.evidence}` : '';
    lines.push(`  ${STATUS_WORD[criterion.status].padEnd(11)} ${criterion.title}${codes}${said}`);
  }
  for (const warning of verdict.warnings) lines.push(`  warning: ${warning}`);
  // Drift findings are warnings already; otherwise the line says whether drift was checked.
  if (verdict.drift && verdict.drift.findings.length === 0) lines.push(`  latency: ${verdict.drift.note}`);
  lines.push(`  verdict: ${where} (and verdict.json)`);
  if (trend) lines.push(`  latency trend: ${trend}`);
  lines.push('');
  return lines.join('\n');
}
