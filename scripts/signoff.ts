/**
 * `npm run signoff`: the pre-production sign-off, against whatever env the E2E_* variables name.
 * It runs the preflight, the golden path, the auth and the isolation specs, then writes
 * `<output>/signoff/verdict.json` and `verdict.md`: APPROVED or REJECTED, each criterion with
 * its evidence, the failing criteria with their cause codes (the first cause in journey order
 * first), and the environment, commit and time. Exit code 0 only when APPROVED.
 *
 * The verdict is derived from evidence only (harness/signoff/): the run's diagnosis.json and
 * the preflight and token records global setup left. A criterion none of whose tests ran, or
 * whose tests left no evidence, is not approved.
 *
 * Beside it: the env's latency trend (`signoff/latency-trend.svg`, from the latency history),
 * and, in the verdict, a drift warning for an event whose p50 rose more than E2E_DRIFT_PERCENT
 * above the median of the env's last E2E_DRIFT_NIGHTS runs (a warning only: the budgets
 * decide). When E2E_NOTIFY_WEBHOOK is set, the verdict is posted there; a failed post is said
 * and changes nothing else, the exit code included.
 *
 *   npm run signoff                          run the sign-off specs, then decide
 *   npm run signoff -- --workers=1           extra arguments go to `playwright test`
 *   npm run signoff -- --from <dir>          decide from a finished run's output folder (e.g.
 *                                            merged shards) without running anything
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveEnvironment } from '../harness/config.ts';
import { envOf } from '../harness/environment.ts';
import { driftSettings } from '../harness/latency-drift.ts';
import { latencyHistoryPath } from '../harness/latency-history.ts';
import { type NotifySettings, notifySettings, postWebhook, webhookBody } from '../harness/notify-webhook.ts';
import {
  knownSecrets,
  outputDir,
  PLAYWRIGHT_CLI,
  ROOT,
  stateDirOf,
  tryLoadConfig,
} from '../harness/run-context.ts';
import type { SecretRegistry } from '../harness/secret-registry.ts';
import { SIGNOFF_GREP } from '../harness/signoff/criteria.ts';
import { decide } from '../harness/signoff/decide.ts';
import {
  contextOf,
  envHistory,
  gatherEvidence,
  writeTrend,
  writeVerdict,
} from '../harness/signoff/evidence.ts';
import { noticeOf } from '../harness/signoff/notice.ts';
import { toConsole } from '../harness/signoff/render.ts';
import type { SignoffVerdict } from '../harness/signoff/verdict.ts';

function runPlaywright(args: string[]): Promise<number> {
  const child = spawn(process.execPath, [PLAYWRIGHT_CLI, 'test', '--grep', SIGNOFF_GREP, ...args], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
}

/** `--from <dir>` or `--from=<dir>`; the other arguments are Playwright's. */
function fromArgument(args: string[]): string | undefined {
  const at = args.findIndex((arg) => arg === '--from' || arg.startsWith('--from='));
  if (at < 0) return undefined;
  return args[at]?.includes('=') ? args[at]?.split('=')[1] : args[at + 1];
}

/** Post the verdict to the webhook; what happened, in one line that never holds the URL. */
async function notify(verdict: SignoffVerdict, settings: NotifySettings, secrets: SecretRegistry) {
  if (!settings.webhook) return;
  const body = JSON.parse(secrets.mask(JSON.stringify(webhookBody(noticeOf(verdict, settings.reportUrl)))));
  const outcome = await postWebhook(settings.webhook, body, { timeoutMs: settings.timeoutMs });
  const line = outcome.ok
    ? `signoff: verdict posted to E2E_NOTIFY_WEBHOOK (HTTP ${outcome.status}, try ${outcome.attempts} of 2)\n`
    : `signoff: the verdict was NOT posted to E2E_NOTIFY_WEBHOOK: ${outcome.problem} (${outcome.attempts} tries of ${settings.timeoutMs} ms at most); the verdict and its exit code stand\n`;
  (outcome.ok ? process.stdout : process.stderr).write(secrets.mask(line));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.some((arg) => arg.startsWith('--shard'))) {
    process.stderr.write(
      'signoff: run the shards with `npm run golden-path -- --shard=i/n`, merge them, then `npm run signoff -- --from <merged folder>`\n',
    );
    process.exit(2);
  }
  const settings = resolveEnvironment();
  const drift = driftSettings(settings);
  const notifying = notifySettings(settings);
  const problems = [...drift.problems, ...notifying.problems];
  if (problems.length > 0) {
    process.stderr.write(`signoff: ${problems.length} setting(s) to fix:\n  - ${problems.join('\n  - ')}\n`);
    process.exit(2);
  }
  const config = tryLoadConfig();
  const from = fromArgument(args);
  // A finished run's folder holds its own evidence; the state folder is this machine's, not its.
  const out = from !== undefined ? path.resolve(from) : outputDir();
  const stateDir = from !== undefined ? undefined : stateDirOf(config);
  const since = from !== undefined ? 0 : Date.now() - 1_000;
  if (from === undefined) {
    process.stdout.write(`signoff: running the ${SIGNOFF_GREP} specs\n`);
    await runPlaywright(args);
  }

  const gathered = gatherEvidence(out, stateDir, since);
  const context = contextOf(out, gathered, since);
  const env = envOf(context);
  const history = envHistory(latencyHistoryPath(settings), env, gathered.diagnosis?.startedAt);
  const evidence = { ...gathered, history: { runs: history.earlier, settings: drift.settings } };
  const verdict = decide(evidence, context);
  const secrets = knownSecrets(config);
  const where = writeVerdict(out, verdict, secrets);
  const trend = writeTrend(out, env, history.recent);
  process.stdout.write(secrets.mask(toConsole(verdict, where, trend)));
  await notify(verdict, notifying.settings, secrets);
  process.exit(verdict.verdict === 'APPROVED' ? 0 : 1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
