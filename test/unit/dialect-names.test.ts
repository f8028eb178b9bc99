/**
 * The dialect is declared once: the profile modules (harness/profile*.ts) and the dialect
 * functions (harness/dialects/) are the only code that may name the contract's frames, test ids
 * and health answers. Anywhere else such a name would make that code speak one dialect only, so
 * this test greps the project's code for them and names each file and line that does.
 * (platform/ speaks the dialects on purpose; test/ builds their frames.)
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../../harness/run-context.ts';

/** What the contract calls things, each as the pattern that finds it in code. */
const NAMES: readonly { name: string; pattern: RegExp }[] = [
  { name: 'connection_established', pattern: /connection_established/ },
  { name: 'user_message', pattern: /user_message/ },
  { name: 'agent-response', pattern: /agent-response/ },
  { name: 'current-user', pattern: /current-user/ },
  { name: 'the "healthy" status', pattern: /['"`]healthy['"`]/ },
  { name: 'the "connected" database status', pattern: /['"`]connected['"`]|database_status/ },
  // 'ok' alone is everyday code (a passing row); only a status compared with it is a health answer.
  { name: 'the "ok" status', pattern: /\bstatus\b['"`]?\s*(?:===?|!==?|:)\s*['"`]ok['"`]/ },
];

/** Folders that are not the harness's code, or may speak a dialect by design. */
const SKIPPED = new Set([
  'node_modules',
  'platform',
  'test',
  'test-results',
  'playwright-report',
  'blob-report',
  'shards',
  'allure-results',
  'allure-report',
  'junit',
  'signoff',
]);

const CODE = /\.(?:[cm]?[jt]s|tsx)$/;

/** Where the dialect is declared, relative to the root. */
const declaresDialect = (file: string) =>
  file.startsWith('harness/dialects/') || /^harness\/profile[^/]*\.ts$/.test(file);

function codeFiles(folder: string, relative = ''): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const name = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory()) {
      if (!(relative === '' && SKIPPED.has(entry.name)))
        files.push(...codeFiles(path.join(folder, entry.name), name));
    } else if (CODE.test(entry.name)) files.push(name);
  }
  return files;
}

/** `file:line: name` for every mention of a contract name in `text`. */
function mentions(file: string, text: string): string[] {
  const found: string[] = [];
  for (const [index, line] of text.split('\n').entries())
    for (const { name, pattern } of NAMES)
      if (pattern.test(line)) found.push(`${file}:${index + 1}: ${name}: ${line.trim()}`);
  return found;
}

describe("the contract's names live in the dialect and the profiles only", () => {
  it('the grep finds what it looks for (a check that cannot fail proves nothing)', () => {
    const text = [
      "if (json.type === 'connection_established') send('user_message');",
      "page.getByTestId('current-user'); page.getByTestId('agent-response');",
      "body.status === 'healthy' && body.database_status === 'connected' || body.status === 'ok'",
      "const state = item.ok ? 'ok' : 'FAIL'; // every service is healthy",
    ].join('\n');
    assert.deepEqual(
      mentions('x.ts', text).map((line) => line.split(': ')[1]),
      [
        'connection_established',
        'user_message',
        'agent-response',
        'current-user',
        'the "healthy" status',
        'the "connected" database status',
        'the "ok" status',
      ],
    );
  });

  it('no code outside harness/dialects/ and harness/profile*.ts names them', () => {
    const files = codeFiles(ROOT).filter((file) => !declaresDialect(file));
    assert.ok(files.includes('harness/connection-verdict.ts') && files.includes('e2e/auth.spec.ts'));
    const found = files.flatMap((file) => mentions(file, readFileSync(path.join(ROOT, file), 'utf8')));
    assert.deepEqual(
      found,
      [],
      `move these into the dialect (harness/dialects/) or the profile (harness/profile*.ts):\n${found.join('\n')}`,
    );
  });
});
