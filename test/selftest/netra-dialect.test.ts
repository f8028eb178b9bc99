/**
 * The harness on the reference platform speaking netra (PLATFORM_DIALECT=netra), configured as a
 * team would configure it: E2E_PROFILE=profiles/netra-local.ts (it extends `netra`) and
 * E2E_JWT_SECRET. The sign-off, which runs the preflight, auth, golden-path and isolation specs,
 * approves; nothing any run here wrote or printed holds a secret in any form. The contract's wire
 * dialect on this platform is PROTOCOL_MISMATCH naming both. So is netra's on the contract
 * platform, though netra's versions include every frame shape the contract sends: the difference
 * is how the harness's own socket presents the token, which the auth spec's control cross-checks.
 *
 * One netra platform serves every run. Its handshake alternates per connection between netra's
 * two versions, starting with the `system_message` one, so the mismatch run goes first: its one
 * page socket is the platform's first, whose handshake the contract dialect cannot read.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import {
  type ChildRun,
  firstCause,
  harnessEnv,
  PLATFORM_DEFAULTS,
  ROOT,
  type RunningPlatform,
  runHarness,
  runSignoff,
  type SignoffChild,
  startPlatform,
} from '../support/platform.ts';
import { needlesFor, SecretSearch } from '../support/secret-search.ts';

const JWT_SECRET = 'selftest-netra-shared-secret-4f2a9c1e7b';
const profile = (...parts: string[]) => path.join(ROOT, ...parts);
const NETRA_LOCAL = profile('profiles', 'netra-local.ts');

let netra: RunningPlatform;
let base: string;
const runs: ChildRun[] = [];
// No trace: these runs are about the dialect, not traces; the default trace (kept on a failure) costs
// each passing run some 2 CPU-s of recording it then drops (BENCHMARKS.md). e2e and signoff keep it.
const netraEnv = (extra: Record<string, string> = {}) =>
  harnessEnv(netra.urls, {
    E2E_PROFILE: NETRA_LOCAL,
    E2E_JWT_SECRET: JWT_SECRET,
    E2E_REPORT: 'minimal',
    E2E_TRACE: 'off',
    ...extra,
  });

before(async () => {
  netra = await startPlatform({ PLATFORM_DIALECT: 'netra', PLATFORM_JWT_SECRET: JWT_SECRET });
  base = mkdtempSync(path.join(tmpdir(), 'golden-path-netra-'));
});
after(() => netra?.stop());

/** The contract platform's tokens, for the secret scan: the mismatch run there is scanned too. */
const contractTokens: string[] = [];
const issuedBy = async (platform: RunningPlatform) =>
  (await (await request(`${platform.urls.auth}/__platform/issued-tokens`)).body.json()) as {
    access_tokens: string[];
    refresh_tokens: string[];
  };

const failureOf = (run: ChildRun) =>
  run.diagnosis?.tests.find((test) => test.status !== 'passed' && test.status !== 'skipped');

describe('the harness on the netra platform', { timeout: 180_000 }, () => {
  it('the contract wire dialect there is PROTOCOL_MISMATCH, naming both dialects', async () => {
    const run = await runHarness(
      ['--grep', '@golden-path'],
      netraEnv({ E2E_PROFILE: profile('test', 'support', 'profiles', 'contract-wire.ts') }),
      path.join(base, 'contract-wire'),
    );
    runs.push(run);
    assert.notEqual(run.exitCode, 0);
    assert.equal(firstCause(run), 'PROTOCOL_MISMATCH', run.stdout.slice(-3000));
    const summary = failureOf(run)?.summary ?? '';
    assert.match(summary, /configured dialect "contract"/);
    assert.match(summary, /fit the "netra" dialect/);
  });

  it("the netra wire dialect on the contract platform is PROTOCOL_MISMATCH, from the auth spec's control alone", async () => {
    // The page's frames fit (netra's versions include the contract's shapes), so the golden path
    // passes; but netra presents the token on the harness's own socket as jwt.<base64url(token)>,
    // which a contract deployment does not read: the control is refused, and accepted as the
    // built-in contract dialect presents it.
    const contract = await startPlatform();
    try {
      const run = await runHarness(
        ['--grep', '@auth|@golden-path'],
        harnessEnv(contract.urls, {
          E2E_PROFILE: profile('test', 'support', 'profiles', 'netra-wire.ts'),
          E2E_REPORT: 'minimal',
          E2E_TRACE: 'off',
        }),
        path.join(base, 'netra-wire'),
      );
      runs.push(run);
      contractTokens.push(...(await issuedBy(contract)).access_tokens);
      assert.notEqual(run.exitCode, 0);
      const tests = run.diagnosis?.tests ?? [];
      const failed = tests.filter((test) => test.status !== 'passed' && test.status !== 'skipped');
      assert.deepEqual(
        failed.map((test) => [test.title, test.code]),
        [[failed[0]?.title, 'PROTOCOL_MISMATCH']],
        run.stdout.slice(-3000),
      );
      assert.match(failed[0]?.title ?? '', /accepts the user's own token/);
      const summary = failed[0]?.summary ?? '';
      assert.match(summary, /the configured "netra" dialect presents it as jwt\.<base64url\(token\)>/);
      assert.match(
        summary,
        /the built-in "contract" dialect presents it as jwt\.<token> \(besides "jwt-auth"\), .*accepted/,
      );
      const golden = tests.filter((test) => test.tags?.includes('@golden-path'));
      assert.ok(golden.length > 0, 'no @golden-path test ran');
      for (const test of golden) assert.equal(test.status, 'passed', `${test.title}: ${test.summary}`);
    } finally {
      await contract.stop();
    }
  });

  let signoff: SignoffChild;
  it('the sign-off approves with a profile file that extends netra', async () => {
    // The full reports, so the attachments (the socket transcripts) are files the scan reads.
    signoff = await runSignoff(netraEnv({ E2E_REPORT: 'full' }), path.join(base, 'signoff'));
    runs.push(signoff);
    assert.equal(
      signoff.verdict,
      'APPROVED',
      `${signoff.stdout.slice(-3000)}\n${signoff.stderr.slice(-2000)}`,
    );
    assert.equal(signoff.exitCode, 0);
    const tests = signoff.diagnosis?.tests ?? [];
    for (const tag of ['@preflight', '@auth', '@golden-path', '@isolation']) {
      const tagged = tests.filter((test) => test.tags?.includes(tag));
      assert.ok(tagged.length > 0, `no ${tag} test ran`);
      for (const test of tagged) assert.equal(test.status, 'passed', `${test.title}: ${test.summary}`);
    }
    assert.ok(
      !tests.some((test) => test.code === 'PROTOCOL_MISMATCH'),
      'PROTOCOL_MISMATCH while the dialect fits',
    );
  });

  it('nothing the runs here wrote or printed holds a secret: the JWT secret, every token in every form', async () => {
    const issued = await issuedBy(netra);
    assert.ok(issued.access_tokens.length > 0, 'the platform reported no issued token');
    const secrets = new Map<string, string>([
      [JWT_SECRET, 'jwt-secret'],
      [PLATFORM_DEFAULTS.bypassKey, 'bypass-key'],
    ]);
    for (const token of issued.access_tokens) secrets.set(token, 'access-token');
    for (const token of issued.refresh_tokens) secrets.set(token, 'refresh-token');
    for (const token of contractTokens) secrets.set(token, 'access-token');
    const search = new SecretSearch([...secrets].flatMap(([value, label]) => needlesFor(label, value)));
    const reports = runs.flatMap((run) => {
      const state = path.join(run.outputDir, 'state');
      return [
        search.tree(run.outputDir, [path.join(state, 'tokens'), path.join(state, 'secrets')]),
        search.bytes(Buffer.from(run.stdout), `${run.outputDir} stdout`),
        search.bytes(Buffer.from(run.stderr), `${run.outputDir} stderr`),
      ];
    });
    const findings = reports.flatMap((report) => report.findings);
    assert.deepEqual(findings, []);
    // Not vacuous: the refusals the auth spec met are in the evidence, and the page's refused
    // socket's transcript holds netra's refusal frame, its echo of the token masked.
    const diagnosis = readFileSync(path.join(signoff.outputDir, 'diagnosis.json'), 'utf8');
    assert.match(
      diagnosis,
      /said (NO_TOKEN|AUTH_FAILED) .*closed 1008 \\"SSOT Auth failed\\"/,
      'no netra refusal recorded: the scan saw no refusal frame',
    );
    const texts = readdirSync(signoff.outputDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.(json|txt)$/.test(entry.name))
      .map((entry) => readFileSync(path.join(entry.parentPath, entry.name), 'utf8'));
    assert.ok(
      texts.some((text) => /websocket_protocol.{0,40}?jwt\.\[redacted:[a-z-]+\]/.test(text)),
      'no artifact holds the refusal frame with its echoed token masked',
    );
  });
});
