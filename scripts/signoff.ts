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
 *   npm run signoff                          run the sign-off specs, then decide
 *   npm run signoff -- --workers=1           extra arguments go to `playwright test`
 *   npm run signoff -- --from <dir>          decide from a finished run's output folder (e.g.
 *                                            merged shards) without running anything
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  knownSecrets,
  outputDir,
  PLAYWRIGHT_CLI,
  ROOT,
  stateDirOf,
  tryLoadConfig,
} from '../harness/run-context.ts';
import { SIGNOFF_GREP } from '../harness/signoff/criteria.ts';
import { decide } from '../harness/signoff/decide.ts';
import { contextOf, gatherEvidence, writeVerdict } from '../harness/signoff/evidence.ts';
import { toConsole } from '../harness/signoff/render.ts';

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

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.some((arg) => arg.startsWith('--shard'))) {
    process.stderr.write(
      'signoff: run the shards with `npm run golden-path -- --shard=i/n`, merge them, then `npm run signoff -- --from <merged folder>`\n',
    );
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

  const evidence = gatherEvidence(out, stateDir, since);
  const verdict = decide(evidence, contextOf(out, evidence, since));
  const secrets = knownSecrets(config);
  const where = writeVerdict(out, verdict, secrets);
  process.stdout.write(secrets.mask(toConsole(verdict, where)));
  process.exit(verdict.verdict === 'APPROVED' ? 0 : 1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
