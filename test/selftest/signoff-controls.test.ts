/**
 * Negative controls for the sign-off: for each criterion, evidence in which that criterion
 * alone fails or has no evidence, and a verdict that rejects and names it. The evidence is
 * real: one healthy sign-off run against the reference platform, whose output folder is then
 * copied and changed in exactly the way the fault would change it, and decided with
 * `npm run signoff -- --from <folder>`, as the nightly decides a merged run. A skipped case is
 * said, in its row and on the console, never folded into "every".
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { harnessEnv, type RunningPlatform, runNode, startPlatform } from '../support/platform.ts';

interface Test {
  title: string;
  file?: string;
  status: string;
  code?: string;
  summary?: string;
  timeline?: { type: string }[];
  annotations?: { type: string; description?: string }[];
}
interface Folder {
  diagnosis: { status: string; tests: Test[] };
  preflight: { ok: boolean; probes: { ok: boolean; status?: number; problem?: string }[] } | undefined;
  run: unknown;
}
interface VerdictJson {
  verdict: string;
  cause?: { code?: string; criterion?: string; summary: string };
  criteria: { id: string; title: string; status: string; evidence: string }[];
}

const CRITERIA = ['services', 'unauthenticated', 'tokens', 'socket', 'events', 'isolation', 'ui'];

interface Control {
  name: string;
  criterion: string;
  status: 'failed' | 'unproven' | 'passed';
  code?: string;
  /** Criteria after it in the same journey, which it leaves unreached. */
  unreached?: string[];
  /** What the criterion's row, and its console line, must say. */
  says?: RegExp;
  change: (folder: Folder) => void;
}

const spec = (name: string) => (test: Test) => test.file?.includes(`${name}.spec.ts`) ?? false;
const expiredCase = (test: Test) => spec('auth')(test) && test.title.includes('expired token');

function fail(folder: Folder, which: (test: Test) => boolean, code: string, summary: string): void {
  const tests = folder.diagnosis.tests.filter(which);
  assert.ok(tests.length > 0, 'the healthy run lacks the test this control changes');
  for (const test of tests) Object.assign(test, { status: 'failed', code, summary: `[${code}] ${summary}` });
  folder.diagnosis.status = 'failed';
}

function skip(test: Test, reason: string): void {
  test.status = 'skipped';
  test.annotations = [
    ...(test.annotations ?? []).filter((note) => note.type === 'credential'),
    { type: 'skip', description: reason },
  ];
}

const IGNORES =
  'the deployment ignores test-auth `expires_in`, and no token of an earlier run has expired yet';

const CONTROLS: Control[] = [
  {
    name: 'a health probe answered 500',
    criterion: 'services',
    status: 'failed',
    code: 'SERVICE_UNHEALTHY',
    change: (folder) => {
      const probe = folder.preflight?.probes[0];
      assert.ok(folder.preflight && probe);
      Object.assign(probe, { ok: false, status: 500, problem: 'HTTP 500' });
      folder.preflight.ok = false;
    },
  },
  {
    name: 'the socket accepted an expired token',
    criterion: 'unauthenticated',
    status: 'failed',
    code: 'WS_AUTH_NOT_ENFORCED',
    change: (folder) =>
      fail(
        folder,
        expiredCase,
        'WS_AUTH_NOT_ENFORCED',
        'with an expired token: accepted: connection_established',
      ),
  },
  {
    name: 'the page stayed on the dead chat after a refusal',
    criterion: 'unauthenticated',
    status: 'failed',
    code: 'UI_NOT_RENDERED',
    change: (folder) =>
      fail(
        folder,
        expiredCase,
        'UI_NOT_RENDERED',
        'the page should send the user back to sign in; it is at /chat',
      ),
  },
  {
    name: 'no record of verified tokens',
    criterion: 'tokens',
    status: 'unproven',
    change: (folder) => {
      folder.run = undefined;
    },
  },
  {
    name: 'the socket closed 1008 before its handshake frame',
    criterion: 'socket',
    status: 'failed',
    code: 'WS_AUTH_REJECTED',
    unreached: ['events', 'ui'],
    change: (folder) => {
      fail(
        folder,
        spec('golden-path'),
        'WS_AUTH_REJECTED',
        'closed 1008 "auth failed" before its handshake frame',
      );
      for (const test of folder.diagnosis.tests.filter(spec('golden-path'))) delete test.timeline;
    },
  },
  {
    name: 'the golden path passed but its timeline lacks agent_completed',
    criterion: 'events',
    status: 'unproven',
    change: (folder) => {
      for (const test of folder.diagnosis.tests.filter(spec('golden-path')))
        test.timeline = test.timeline?.filter((item) => item.type !== 'agent_completed');
    },
  },
  {
    name: "the partner's run frame reached this socket",
    criterion: 'isolation',
    status: 'failed',
    code: 'CROSS_USER_LEAK',
    change: (folder) =>
      fail(
        folder,
        spec('isolation'),
        'CROSS_USER_LEAK',
        "socket mentions the other user's run, thread or id",
      ),
  },
  {
    name: 'the page showed no agent events',
    criterion: 'ui',
    status: 'failed',
    code: 'UI_NOT_RENDERED',
    change: (folder) => fail(folder, spec('golden-path'), 'UI_NOT_RENDERED', 'the page shows 0 agent events'),
  },
  {
    name: 'every auth case skipped',
    criterion: 'unauthenticated',
    status: 'unproven',
    says: /expired token not run: the deployment ignores/,
    change: (folder) => {
      for (const test of folder.diagnosis.tests.filter(spec('auth'))) skip(test, IGNORES);
    },
  },
];

/** The healthy run's folder, as the nightly's merge leaves one: evidence under signoff/evidence. */
function readFolder(dir: string): Folder {
  const json = (file: string) =>
    existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown) : undefined;
  return {
    diagnosis: json(path.join(dir, 'diagnosis.json')) as Folder['diagnosis'],
    preflight: json(path.join(dir, 'state', 'preflight.json')) as Folder['preflight'],
    run: json(path.join(dir, 'state', 'run.json')),
  };
}

function writeFolder(dir: string, folder: Folder): void {
  rmSync(path.join(dir, 'signoff'), { recursive: true, force: true });
  const evidence = path.join(dir, 'signoff', 'evidence', 'run');
  mkdirSync(evidence, { recursive: true });
  writeFileSync(path.join(dir, 'diagnosis.json'), JSON.stringify(folder.diagnosis));
  if (folder.preflight)
    writeFileSync(path.join(evidence, 'preflight.json'), JSON.stringify(folder.preflight));
  if (folder.run) writeFileSync(path.join(evidence, 'run.json'), JSON.stringify(folder.run));
}

async function decideFrom(dir: string): Promise<{ exitCode: number; stdout: string; verdict: VerdictJson }> {
  const run = await runNode(['--import', 'tsx', 'scripts/signoff.ts', '--from', dir], { FORCE_COLOR: '0' });
  const file = path.join(dir, 'signoff', 'verdict.json');
  assert.ok(existsSync(file), `no verdict from ${dir}:\n${run.stdout}${run.stderr}`);
  return { exitCode: run.exitCode, stdout: run.stdout, verdict: JSON.parse(readFileSync(file, 'utf8')) };
}

/** The console's line for a criterion: its result word, then its title. */
const lineOf = (stdout: string, title: string | undefined) =>
  stdout
    .split('\n')
    .find((text) => /^\s*(PASS|FAIL|NO EVIDENCE)\s/.test(text) && text.includes(title ?? '?'));

const statuses = (verdict: VerdictJson) => Object.fromEntries(verdict.criteria.map((c) => [c.id, c.status]));

describe('sign-off controls: each criterion alone failing is named', { timeout: 240_000 }, () => {
  const base = mkdtempSync(path.join(tmpdir(), 'golden-path-signoff-controls-'));
  const healthy = path.join(base, 'healthy');
  let platform: RunningPlatform;
  let approved: { exitCode: number; stdout: string; verdict: VerdictJson };

  before(async () => {
    platform = await startPlatform();
    const env = harnessEnv(platform.urls, { E2E_REPORT: 'minimal', E2E_TRACE: 'off' });
    const run = await runNode(['--import', 'tsx', 'scripts/signoff.ts'], {
      ...env,
      E2E_OUTPUT_DIR: healthy,
      E2E_STATE_DIR: path.join(healthy, 'state'),
      FORCE_COLOR: '0',
    });
    assert.equal(run.exitCode, 0, `the healthy sign-off must approve:\n${run.stdout.slice(-3000)}`);
    writeFolder(healthy, readFolder(healthy));
    approved = await decideFrom(healthy);
  });

  after(() => platform?.stop());

  it('the unchanged evidence approves, and says where the expired token came from', () => {
    assert.equal(approved.verdict.verdict, 'APPROVED', approved.stdout);
    const row = approved.verdict.criteria.find((criterion) => criterion.id === 'unauthenticated');
    assert.match(row?.evidence ?? '', /4 of 4 kinds refused/);
    assert.match(row?.evidence ?? '', /expired token from test-auth with a negative expires_in/);
  });

  it('a skipped case is said in its row and on the console, never folded into "every"', async () => {
    const dir = path.join(base, 'one-skipped');
    cpSync(healthy, dir, { recursive: true });
    const folder = readFolder(dir);
    const expired = folder.diagnosis.tests.find(expiredCase);
    assert.ok(expired);
    skip(expired, IGNORES);
    writeFolder(dir, folder);
    const { verdict, stdout } = await decideFrom(dir);
    const row = verdict.criteria.find((criterion) => criterion.id === 'unauthenticated');
    const said = /3 of 4 kinds refused; expired token not run: the deployment ignores test-auth `expires_in`/;
    assert.match(row?.evidence ?? '', said);
    assert.doesNotMatch(row?.evidence ?? '', /every/);
    const line = lineOf(stdout, row?.title);
    assert.match(line ?? '', said, stdout);
  });

  for (const control of CONTROLS) {
    it(`${control.criterion}: ${control.name} → ${control.status}${control.code ? ` [${control.code}]` : ''}`, async () => {
      const dir = path.join(base, control.name.replace(/\W+/g, '-'));
      cpSync(healthy, dir, { recursive: true });
      const folder = readFolder(dir);
      control.change(folder);
      writeFolder(dir, folder);
      const { exitCode, stdout, verdict } = await decideFrom(dir);
      const unreached = control.unreached ?? [];
      const expected = Object.fromEntries(
        CRITERIA.map((id) => [
          id,
          id === control.criterion ? control.status : unreached.includes(id) ? 'unproven' : 'passed',
        ]),
      );
      assert.deepEqual(statuses(verdict), expected, stdout);
      assert.equal(verdict.verdict, 'REJECTED');
      assert.equal(exitCode, 1);
      assert.equal(verdict.cause?.criterion, control.criterion, JSON.stringify(verdict.cause));
      if (control.code) assert.equal(verdict.cause?.code, control.code);
      const row = verdict.criteria.find((criterion) => criterion.id === control.criterion);
      const word = control.status === 'failed' ? 'FAIL' : 'NO EVIDENCE';
      const line = lineOf(stdout, row?.title);
      assert.match(line ?? '', new RegExp(`^\\s*${word}\\b`), stdout);
      if (control.says) {
        assert.match(row?.evidence ?? '', control.says);
        assert.match(line ?? '', control.says, stdout);
      }
    });
  }
});
