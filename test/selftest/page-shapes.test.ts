/**
 * Deployments the contract allows, which a harness that assumed more would call broken: a server
 * that closes after every run, and volume (1 MB frames, hundreds of streamed thinking frames,
 * heartbeats every 20 ms). Each shape runs the whole sign-off (preflight, golden path, auth,
 * isolation) against the reference platform in that shape, and must be APPROVED. (The page's own
 * socket churn is judged by the connection verdict's unit tests; the frontend shapes that show
 * it in a browser are not in the reference platform yet.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { harnessEnv, type RunningPlatform, runSignoff, startPlatform } from '../support/platform.ts';

const THINKING_FRAMES = 300;

const SHAPES: { name: string; platform: Record<string, string>; harness?: Record<string, string> }[] = [
  {
    name: 'a server that closes 1000 after every run (the page reconnects)',
    platform: { PLATFORM_BACKEND_SHAPE: 'server-close-after-run' },
  },
  {
    name: '1 MB frames, 300 streamed thinking frames, heartbeats every 20 ms',
    platform: {
      PLATFORM_BIG_FRAME_BYTES: '1100000',
      PLATFORM_THINKING_FRAMES: String(THINKING_FRAMES),
      PLATFORM_HEARTBEAT_MS: '20',
    },
  },
];

/** The criteria of a written verdict that did not pass. */
function unmet(out: string): string[] {
  const verdict = JSON.parse(readFileSync(path.join(out, 'signoff', 'verdict.json'), 'utf8')) as {
    criteria: { id: string; status: string }[];
  };
  return verdict.criteria
    .filter((criterion) => criterion.status !== 'passed')
    .map((criterion) => criterion.id);
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
      const out = path.join(base, String(index));
      const run = await runSignoff(env, out);
      const why = `${run.stdout.slice(-4000)}\n${run.stderr.slice(-2000)}\n${platform.logs().slice(-2000)}`;
      assert.equal(run.verdict, 'APPROVED', why);
      assert.equal(run.exitCode, 0, why);
      assert.deepEqual(unmet(out), [], why);
      if (shape.platform.PLATFORM_THINKING_FRAMES) {
        // No frame lost under volume: every streamed thinking frame is in the judged run.
        const golden = run.diagnosis?.tests.find((test) => test.tags?.includes('@golden-path'));
        const thinking = golden?.timeline?.filter((entry) => entry.type === 'agent_thinking').length;
        assert.equal(thinking, THINKING_FRAMES, why);
      }
    });
  }
});
