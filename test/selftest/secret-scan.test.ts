/**
 * No secret in any artifact. The whole suite runs with tracing on for every test, in both
 * sign-in modes, then every file the runs wrote (zip members and the HTML report's embedded
 * zip included; only the 0600 token cache and secret registry excepted) and everything they
 * printed is searched for every secret in plain, base64, base64url and URL-encoded form.
 *
 * The list of secrets does not come from the harness alone: the reference platform reports
 * every token it issued, so a token the harness failed to notice is still searched for.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { zipSync } from 'fflate';
import { request } from 'undici';
import { contentViews, listFiles } from '../../harness/artifacts.ts';
import { SecretRegistry, secretForms } from '../../harness/secrets.ts';
import {
  type ChildRun,
  harnessEnv,
  PLATFORM_DEFAULTS,
  type RunningPlatform,
  runHarness,
  startPlatform,
} from '../support/platform.ts';

interface Hit {
  file: string;
  label: string;
  form: number;
}

/** Files of a run worth scanning: all of it but the token cache and the secret registry. */
function scannedFiles(run: ChildRun): string[] {
  const excluded = ['tokens', 'secrets'].map((name) => path.join(run.outputDir, 'state', name) + path.sep);
  return listFiles(run.outputDir).filter((file) => !excluded.some((dir) => file.startsWith(dir)));
}

function scan(files: string[], texts: { name: string; text: string }[], secrets: SecretRegistry): Hit[] {
  const forms = secrets
    .list()
    .flatMap(({ label, value }) => secretForms(value).map((form, index) => ({ label, form, index })));
  const views = [...texts, ...files.flatMap((file) => contentViews(readFileSync(file), file))];
  const hits: Hit[] = [];
  for (const view of views) {
    for (const { label, form, index } of forms) {
      if (view.text.includes(form)) hits.push({ file: view.name, label, form: index });
    }
  }
  return hits;
}

let platform: RunningPlatform;
const runs: ChildRun[] = [];

before(async () => {
  platform = await startPlatform();
  const traced = { E2E_TRACE: 'on' };
  const out = mkdtempSync(path.join(tmpdir(), 'golden-path-scan-'));
  // Sequential: both runs share the platform, and each run is already parallel inside.
  runs.push(await runHarness([], harnessEnv(platform.urls, traced), path.join(out, 'password')));
  runs.push(
    await runHarness(
      ['--grep', '@golden-path|@auth'],
      harnessEnv(platform.urls, { ...traced, E2E_USER_PASSWORD: '' }),
      path.join(out, 'callback'),
    ),
  );
});

after(async () => {
  await platform.stop();
});

async function allSecrets(): Promise<SecretRegistry> {
  const secrets = new SecretRegistry();
  secrets.add('bypass-key', PLATFORM_DEFAULTS.bypassKey);
  secrets.add('password', PLATFORM_DEFAULTS.password);
  const response = await request(`${platform.urls.auth}/__platform/issued-tokens`);
  const issued = (await response.body.json()) as { access_tokens: string[]; refresh_tokens: string[] };
  for (const token of issued.access_tokens) secrets.add('access-token', token);
  for (const token of issued.refresh_tokens) secrets.add('refresh-token', token);
  for (const run of runs) {
    for (const secret of SecretRegistry.readAll(path.join(run.outputDir, 'state')).list()) {
      secrets.add(secret.label, secret.value);
    }
  }
  return secrets;
}

describe('no secret in any artifact', () => {
  it('the traced runs executed the suite in both sign-in modes', () => {
    for (const run of runs) {
      assert.equal(run.exitCode, 0, `a traced run failed:\n${run.stdout.slice(-3000)}`);
      const traces = listFiles(run.outputDir).filter((file) => file.endsWith('trace.zip'));
      assert.ok(traces.length > 0, `tracing was on, yet ${run.outputDir} holds no trace.zip`);
    }
  });

  it('the scanner finds a secret hidden in a zip member in base64url (it is not vacuous)', async () => {
    const secrets = await allSecrets();
    const token = secrets.list().find((secret) => secret.label === 'access-token');
    assert.ok(token, 'the platform reported no issued token');
    const canary = path.join(mkdtempSync(path.join(tmpdir(), 'golden-path-canary-')), 'canary.zip');
    writeFileSync(
      canary,
      zipSync({ 'inner.txt': Buffer.from(`x${Buffer.from(token.value).toString('base64url')}x`) }),
    );
    assert.equal(scan([canary], [], secrets).length, 1);
  });

  it('no file written and nothing printed holds any form of any secret', async () => {
    const secrets = await allSecrets();
    assert.ok(secrets.list().length >= 6, `too few secrets to be a real scan: ${secrets.list().length}`);
    const files = runs.flatMap(scannedFiles);
    const printed = runs.flatMap((run, index) => [
      { name: `run ${index} stdout`, text: run.stdout },
      { name: `run ${index} stderr`, text: run.stderr },
    ]);
    const hits = scan(files, printed, secrets);
    const where = hits.map((hit) => `${hit.label} (form ${hit.form}) in ${hit.file}`);
    assert.deepEqual(where, [], `secrets found in ${hits.length} place(s)`);
  });
});
