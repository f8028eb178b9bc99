/**
 * Deployments the contract allows, which a harness that assumed more would call broken: a page
 * that opens and drops agent sockets before one lives, a server that closes after every run,
 * sign-in and chat as client-side routes of one document, a callback that leaves the token in
 * the URL, and volume (1 MB frames, hundreds of streamed thinking frames, heartbeats every
 * 20 ms). Each shape runs the whole sign-off (preflight, golden path, auth, isolation) against
 * the reference platform in that shape, and must be APPROVED.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { harnessEnv, type RunningPlatform, startPlatform } from '../support/platform.ts';
import { runSignoff } from '../support/signoff-run.ts';

const THINKING_FRAMES = 300;

const SHAPES: { name: string; platform: Record<string, string>; harness?: Record<string, string> }[] = [
  {
    name: 'double mount, and a server that closes 1000 after every run',
    platform: { PLATFORM_FRONTEND_SHAPE: 'strict-mode', PLATFORM_BACKEND_SHAPE: 'server-close-after-run' },
  },
  {
    name: 'a client that closes its authenticated socket and reconnects; 1 MB frames, 300 thinking frames, 20 ms heartbeats',
    platform: {
      PLATFORM_FRONTEND_SHAPE: 'client-reconnect',
      PLATFORM_BIG_FRAME_BYTES: '1100000',
      PLATFORM_THINKING_FRAMES: String(THINKING_FRAMES),
      PLATFORM_HEARTBEAT_MS: '20',
    },
  },
  {
    name: 'sign-in and chat as client-side routes of one document',
    platform: { PLATFORM_FRONTEND_SHAPE: 'spa' },
  },
  {
    name: 'a callback that leaves the token in the URL (token hand-off, no password)',
    platform: { PLATFORM_FRONTEND_SHAPE: 'callback-keeps-token' },
    harness: { E2E_USER_PASSWORD: '' },
  },
];

interface Verdict {
  verdict: string;
  criteria: { id: string; status: string }[];
}

const platforms: RunningPlatform[] = [];
after(() => Promise.all(platforms.map((platform) => platform.stop())));

describe('deployment shapes of the page and socket: the sign-off approves each', { concurrency: 2 }, () => {
  const base = mkdtempSync(path.join(tmpdir(), 'golden-path-page-shapes-'));
  for (const [index, shape] of SHAPES.entries()) {
    it(shape.name, async () => {
      const platform = await startPlatform(shape.platform);
      platforms.push(platform);
      const env = {
        ...harnessEnv(platform.urls, { E2E_REPORT: 'minimal', E2E_TRACE: 'off' }),
        ...shape.harness,
      };
      for (const [key, value] of Object.entries(env)) if (value === '') delete env[key];
      const run = await runSignoff<Verdict>(env, path.join(base, String(index)));
      const why = `${run.markdown}\n${run.stdout.slice(-4000)}\n${platform.logs().slice(-2000)}`;
      assert.equal(run.verdict?.verdict, 'APPROVED', why);
      assert.equal(run.exitCode, 0, why);
      assert.deepEqual(
        run.verdict?.criteria.filter((criterion) => criterion.status !== 'passed').map((c) => c.id),
        [],
        why,
      );
    });
  }
});
