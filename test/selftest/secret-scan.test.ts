/**
 * No secret in any artifact, on the nightly's own path. Two traced shards of the whole suite
 * (callback sign-in: the token travels in the URL), then the report job as the workflow runs
 * it, with only what the shard jobs upload and no state: merge-shards, `npm run report`, the
 * sign-off from the merged folder. Beside them, a traced run that signs in with the password.
 * Every file all of them wrote (only the 0600 token cache and secret registry excepted) and
 * everything they printed is searched for every form of every secret.
 *
 * The search is test/support/secret-search.ts, which shares no code with the scrubber (a unit
 * test checks that): it opens every zip, gzip and base64 blob at any alignment, and looks for
 * plain, URL-encoded, base64 and base64url at all three alignments, and a JWT's signature. The
 * secrets do not come from the harness alone: the reference platform reports every token it
 * issued, so a token the harness failed to notice is still searched for. Every run is given a
 * webhook (E2E_NOTIFY_WEBHOOK, a loopback URL ending in a secret), and the sign-off posts to it.
 */
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { request } from 'undici';
import {
  type ChildRun,
  harnessEnv,
  PLATFORM_DEFAULTS,
  type RunningPlatform,
  runHarness,
  runNode,
  startPlatform,
} from '../support/platform.ts';
import { type Needle, needlesFor, type SearchReport, SecretSearch } from '../support/secret-search.ts';
import { startWebhookRecorder, type WebhookRecorder } from '../support/webhook-recorder.ts';

let platform: RunningPlatform;
let hooks: WebhookRecorder;
let webhook: string;
let base: string;
const shards: ChildRun[] = [];
let password: ChildRun;
const scripts: { name: string; status: number | null; output: string }[] = [];
const nightly = () => path.join(base, 'nightly');
const jobOut = () => path.join(base, 'report-job', 'out');

before(async () => {
  platform = await startPlatform();
  hooks = await startWebhookRecorder();
  webhook = hooks.url('ok');
  base = mkdtempSync(path.join(tmpdir(), 'golden-path-scan-'));
  const callback = harnessEnv(platform.urls, {
    E2E_TRACE: 'on',
    E2E_USER_PASSWORD: '',
    E2E_NOTIFY_WEBHOOK: webhook,
  });
  // One after another: they share the platform, and each run is already parallel inside.
  shards.push(await runHarness(['--shard=1/2'], callback, nightly()));
  shards.push(await runHarness(['--shard=2/2'], callback, nightly()));
  password = await runHarness(
    ['--grep', '@golden-path|@auth'],
    harnessEnv(platform.urls, { E2E_TRACE: 'on', E2E_NOTIFY_WEBHOOK: webhook }),
    path.join(base, 'password'),
  );
  // The report job: the shards as uploaded (without test-results/), no state, no E2E secrets.
  cpSync(path.join(nightly(), 'shards'), path.join(jobOut(), 'shards'), {
    recursive: true,
    filter: (source) => path.basename(source) !== 'test-results',
  });
  const env = {
    E2E_OUTPUT_DIR: jobOut(),
    E2E_ALLURE_HISTORY: path.join(base, 'report-job', 'allure-history', 'history.jsonl'),
    E2E_NOTIFY_WEBHOOK: webhook,
  };
  for (const [name, args] of [
    ['merge-shards', ['scripts/merge-shards.ts']],
    ['report', ['scripts/report.ts']],
    ['signoff', ['scripts/signoff.ts', '--from', jobOut()]],
  ] as const) {
    // Not spawnSync: the sign-off posts to the webhook this process serves.
    const run = await runNode(['--import', 'tsx', ...args], env);
    scripts.push({ name, status: run.exitCode, output: `${run.stdout}${run.stderr}` });
  }
});

after(async () => {
  await Promise.all([platform?.stop(), hooks?.close()]);
});

/** Every string under a key that names a token, anywhere in a JSON value. */
function tokensIn(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return /token/i.test(key) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((item) => tokensIn(item, key));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([name, item]) => tokensIn(item, name));
  return [];
}

const filesIn = (dir: string) =>
  existsSync(dir) ? readdirSync(dir).map((name) => readFileSync(path.join(dir, name), 'utf8')) : [];

/** Every secret of these runs: the defaults, what the platform issued, what each run recorded. */
async function secrets(): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const add = (label: string, value: unknown) => {
    if (typeof value === 'string' && value.length >= 8 && !found.has(value)) found.set(value, label);
  };
  add('bypass-key', PLATFORM_DEFAULTS.bypassKey);
  add('password', PLATFORM_DEFAULTS.password);
  add('notify-webhook', webhook);
  const issued = (await (await request(`${platform.urls.auth}/__platform/issued-tokens`)).body.json()) as {
    access_tokens: string[];
    refresh_tokens: string[];
  };
  for (const token of issued.access_tokens) add('access-token', token);
  for (const token of issued.refresh_tokens) add('refresh-token', token);
  for (const state of [path.join(nightly(), 'state'), path.join(password.outputDir, 'state')]) {
    for (const lines of filesIn(path.join(state, 'secrets'))) {
      for (const line of lines.split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { label?: string; value?: string };
        add(entry.label ?? 'secret', entry.value);
      }
    }
    for (const file of filesIn(path.join(state, 'tokens'))) {
      for (const token of tokensIn(JSON.parse(file))) add('cached-token', token);
    }
  }
  return found;
}

const needlesOf = (values: Map<string, string>): Needle[] =>
  [...values].flatMap(([value, label]) => needlesFor(label, value));
const private_ = (state: string) => [path.join(state, 'tokens'), path.join(state, 'secrets')];

let scanned: (SearchReport & { files: number }) | undefined;
async function scanEverything(): Promise<SearchReport & { files: number }> {
  if (scanned) return scanned;
  const search = new SecretSearch(needlesOf(await secrets()));
  const trees = [
    search.tree(nightly(), private_(path.join(nightly(), 'state'))),
    search.tree(password.outputDir, private_(path.join(password.outputDir, 'state'))),
    search.tree(path.join(base, 'report-job')),
  ];
  const printed = [...shards, password].flatMap((run, index) => [
    search.bytes(Buffer.from(run.stdout), `run ${index} stdout`),
    search.bytes(Buffer.from(run.stderr), `run ${index} stderr`),
  ]);
  const outputs = scripts.map((script) => search.bytes(Buffer.from(script.output), `${script.name} output`));
  const all = [...trees, ...printed, ...outputs];
  scanned = {
    findings: all.flatMap((report) => report.findings),
    problems: all.flatMap((report) => report.problems),
    opened: all.flatMap((report) => report.opened),
    files: trees.reduce((sum, tree) => sum + tree.files, 0),
  };
  return scanned;
}

describe('no secret in any artifact, on the sharded nightly path', { timeout: 300_000 }, () => {
  it('the shards, the password run and the report job all ran', () => {
    for (const run of [...shards, password]) {
      assert.equal(run.exitCode, 0, `a traced run failed:\n${run.stdout.slice(-3000)}`);
    }
    for (const name of ['1-of-2', '2-of-2']) {
      const results = path.join(nightly(), 'shards', name, 'test-results');
      const traces = readdirSync(results, { recursive: true }).filter((file) =>
        String(file).endsWith('trace.zip'),
      );
      assert.ok(traces.length > 0, `tracing was on, yet ${results} holds no trace.zip`);
    }
    for (const script of scripts.filter((item) => item.name !== 'signoff')) {
      assert.equal(script.status, 0, `${script.name}:\n${script.output}`);
    }
    // The webhook was used, so the scan below covers a URL the sign-off really posted to.
    assert.equal(hooks.received(webhook).length, 1, scripts.at(-1)?.output);
    for (const file of [
      'playwright-report/index.html',
      'allure-report/single-file/index.html',
      'signoff/verdict.json',
      'signoff/verdict.md',
    ]) {
      assert.ok(existsSync(path.join(jobOut(), file)), `the report job wrote no ${file}`);
    }
  });

  it("the scan opened the traces, the HTML report's embedded zip and the single file's inlined data", async () => {
    const { opened, files } = await scanEverything();
    assert.ok(files > 50, `only ${files} files scanned`);
    const some = (pattern: RegExp, what: string) =>
      assert.ok(
        opened.some((name) => pattern.test(name)),
        `opened no ${what}: ${opened.slice(0, 20).join('\n')}`,
      );
    some(/trace\.zip!.*\.trace$/, 'trace member');
    some(/report-job\/out\/playwright-report\/index\.html!base64@\d+!report\.json$/, 'HTML report zip');
    some(/report-job\/out\/allure-report\/single-file\/index\.html!base64@\d+$/, 'single-file data');
    some(/blob-report\/report-1-of-2\.zip!/, 'blob report member');
  });

  it('finds a real token planted in the artifacts, hidden each way (the scan is not vacuous)', async () => {
    const values = await secrets();
    const token = [...values].find(([, label]) => label === 'access-token')?.[0];
    assert.ok(token, 'the platform reported no issued token');
    const dir = mkdtempSync(path.join(tmpdir(), 'golden-path-canary-'));
    const base64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');
    const at = (offset: number) =>
      Buffer.concat([Buffer.alloc(offset + 3, 0x7b), Buffer.from(token), Buffer.from('}')]);
    const canaries: Record<string, Uint8Array | string> = {
      'plain.md': `token: ${token}\n`,
      'url-encoded.txt': `next=${encodeURIComponent(`/auth/callback?token=${token}&to=/chat`)}`,
      'base64-0.txt': `x=${base64(at(0))}`,
      'base64-1.txt': `x=${base64(at(1))}`,
      'base64-2.txt': `x=${base64(at(2))}`,
      'base64url-1.txt': `x=${Buffer.from(at(1)).toString('base64url')}`,
      'signature.txt': `sig=${token.split('.')[2]}`,
      'trace.zip': zipSync({ 'trace/0-trace.network': at(2) }),
      'stream.gz': gzipSync(at(1)),
      'report.html': `window.playwrightReportBase64 = "data:application/zip;base64,${base64(zipSync({ 'report.json': at(0) }))}";`,
      'single-file.html': `<script>d("data/attachments/1.txt","Q${base64(at(1))}")</script>`,
    };
    mkdirSync(path.join(dir, 'deep', 'er'), { recursive: true });
    for (const [name, content] of Object.entries(canaries))
      writeFileSync(path.join(dir, 'deep', 'er', name), content);
    const report = new SecretSearch(needlesOf(values)).tree(dir);
    const hit = new Set(report.findings.map((finding) => path.basename(finding.where.split('!')[0] ?? '')));
    assert.deepEqual([...hit].sort(), Object.keys(canaries).sort());
    assert.deepEqual(report.problems, []);
  });

  it('no file written and nothing printed holds any form of any secret', async () => {
    const values = await secrets();
    assert.ok(values.size >= 20, `too few secrets to be a real scan: ${values.size}`);
    const { findings, problems } = await scanEverything();
    assert.deepEqual(problems, [], 'containers the scan could not open');
    const where = findings.map((hit) => `${hit.label} (${hit.form}) in ${hit.where}`);
    assert.deepEqual(where, [], `secrets found in ${findings.length} place(s)`);
  });
});
