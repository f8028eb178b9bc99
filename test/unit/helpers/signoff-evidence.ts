/** Evidence of a sign-off run, made up for the decision's unit tests. */
import { AGENT_EVENTS } from '../../../harness/config.ts';
import type { Diagnosis, EvidenceRecord } from '../../../harness/evidence-record.ts';
import type { PreflightResult } from '../../../harness/preflight.ts';
import type { TimelineEntry } from '../../../harness/run-verdict.ts';
import type { Evidence } from '../../../harness/signoff/verdict.ts';

export const timeline: TimelineEntry[] = AGENT_EVENTS.map((type, index) => ({
  type,
  ms: 100 * (index + 1),
  runId: 'run_1',
}));

export const entry = (file: string, title: string, extra: Partial<EvidenceRecord> = {}): EvidenceRecord => ({
  title,
  file,
  project: 'chromium',
  status: 'passed',
  ...extra,
});

export const healthyTests = (): EvidenceRecord[] => [
  entry('e2e/preflight.spec.ts', 'preflight: services healthy and tokens verified', { tags: ['@preflight'] }),
  entry('e2e/auth.spec.ts', 'refuses no token', {
    tags: ['@auth'],
    annotations: [{ type: 'credential', description: 'no token' }],
  }),
  entry('e2e/golden-path.spec.ts', 'a signed-in user chats', { tags: ['@golden-path'], timeline }),
  entry('e2e/isolation.spec.ts', 'two users', { tags: ['@isolation'], timeline }),
];

export const preflight: PreflightResult = {
  ok: true,
  at: '2026-12-01T00:00:00.000Z',
  probes: [
    {
      service: 'auth',
      name: 'GET /health',
      url: 'http://a/health',
      ok: true,
      unreachable: false,
      status: 200,
      latencyMs: 12,
      excerpt: '',
    },
  ],
  services: { auth: { version: '1.0.0' } },
};

export function evidence(tests: EvidenceRecord[], extra: Partial<Evidence> = {}): Evidence {
  const failed = tests.some((test) => test.status !== 'passed' && test.status !== 'skipped');
  const diagnosis: Diagnosis = {
    status: failed ? 'failed' : 'passed',
    startedAt: '2026-12-01T00:00:00.000Z',
    durationMs: 1000,
    counts: {},
    tests,
  };
  return {
    diagnosis,
    preflights: [preflight],
    states: [
      {
        env: 'test',
        urls: { frontend: 'http://f', api: 'http://a', auth: 'http://au', ws: 'ws://a/ws' },
        preflight,
        users: [{ email: 'a@example.test', userId: 'u1', tokenSource: 'test-auth', validForS: 900 }],
      },
    ],
    sources: [],
    ...extra,
  };
}
