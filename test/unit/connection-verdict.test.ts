import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { authenticatesAs, type Connection, evaluateConnection } from '../../harness/connection-verdict.ts';
import { netraDialect } from '../../harness/dialects/netra.ts';
import type { FrameRecord, PageVisit } from '../../harness/frames.ts';
import type { Judgement } from '../../harness/run-verdict.ts';
import { AGENT_URL, socket, T0, Transcript } from './helpers/frames.ts';

const CHAT = 'http://127.0.0.1:47813/chat';
const LOGIN = 'http://127.0.0.1:47813/login?reason=x';

function connection(
  sockets: ReturnType<typeof socket>[],
  options: { frames?: FrameRecord[]; visits?: PageVisit[]; elapsedMs?: number } = {},
): Judgement<Connection> {
  return evaluateConnection({
    sockets,
    frames: options.frames ?? [],
    visits: options.visits ?? [{ at: T0 - 2_000, url: CHAT }],
    agentEndpoint: AGENT_URL,
    elapsedMs: options.elapsedMs ?? 500,
    timeoutMs: 10_000,
  });
}

function assertFailed(verdict: Judgement<Connection>, code: string, ...words: string[]): void {
  assert.equal(verdict.state, 'failed', JSON.stringify(verdict));
  if (verdict.state !== 'failed') return;
  assert.equal(verdict.code, code, verdict.summary);
  for (const word of words)
    assert.ok(verdict.summary.includes(word), `"${word}" not in:\n${verdict.summary}`);
}

const pending = (verdict: Judgement<Connection>) =>
  assert.deepEqual(verdict, { state: 'pending', waitingFor: 'the handshake frame' });

/** The page went back to sign in at `at` ms after T0. */
const wentToLogin = (at: number): PageVisit[] => [
  { at: T0 - 2_000, url: CHAT },
  { at: T0 + at, url: LOGIN },
];

describe('a truncated user id (netra) matches by prefix, and says so', () => {
  test("netra's 8-character id with '...' is a prefix; the full id is matched exactly", () => {
    const transcript = new Transcript(1, AGENT_URL, netraDialect);
    transcript.receive(-800, { type: 'connection_established', mode: 'main', user_id: 'e2e-alic...' });
    const verdict = connection([socket({ openedAt: T0 - 900 })], { frames: transcript.frames });
    assert.equal(verdict.state, 'passed');
    if (verdict.state !== 'passed') return;
    assert.deepEqual([verdict.value.userId, verdict.value.truncated], ['e2e-alic', true]);
    assert.ok(authenticatesAs(verdict.value, 'e2e-alice'));
    assert.ok(!authenticatesAs(verdict.value, 'e2e-bob'));
    assert.ok(!authenticatesAs({ userId: 'e2e-alic' }, 'e2e-alice'), 'a full id is never a prefix');
    assert.ok(!authenticatesAs({ userId: '', truncated: true }, 'e2e-alice'), 'an empty prefix names no one');
  });
});

describe('evaluateConnection: a usable socket', () => {
  test('passes once connection_established arrived, naming the user', () => {
    const transcript = new Transcript();
    transcript.established(-800, 'u-alice');
    const verdict = connection([socket({ openedAt: T0 - 900 })], { frames: transcript.frames });
    assert.equal(verdict.state === 'passed' && verdict.value.userId, 'u-alice');
  });

  test('a double mount (closed by the page before it opened), then a live socket, passes', () => {
    const second = new Transcript(2);
    second.established(40);
    const sockets = [
      socket({ createdAt: T0, closedAt: T0 + 1, closeCode: 1006, closedByPage: true }),
      socket({ id: 2, createdAt: T0 + 2, openedAt: T0 + 30 }),
    ];
    assert.equal(connection(sockets.slice(0, 1)).state, 'pending');
    const verdict = connection(sockets, { frames: second.frames });
    assert.equal(verdict.state === 'passed' && verdict.value.socket.id, 2);
  });

  test('a client-side close after authentication, then a reconnect, passes on the new socket', () => {
    const first = new Transcript(1);
    first.established(-800);
    const second = new Transcript(2);
    second.established(-100);
    const sockets = [
      socket({ openedAt: T0 - 900, closedAt: T0 - 500, closeCode: 1000, closedByPage: true }),
      socket({ id: 2, createdAt: T0 - 300, openedAt: T0 - 200 }),
    ];
    pending(
      connection(
        [sockets[0] as (typeof sockets)[0], { ...(sockets[1] as (typeof sockets)[1]), openedAt: undefined }],
        { frames: first.frames },
      ),
    );
    const verdict = connection(sockets, { frames: [...first.frames, ...second.frames] });
    assert.equal(verdict.state === 'passed' && verdict.value.socket.id, 2);
  });

  test('a refusal the page retries is no verdict while it retries', () => {
    const sockets = [
      socket({ createdAt: T0, closedAt: T0 + 20, closeCode: 1006, handshakeStatus: 403 }),
      socket({ id: 2, createdAt: T0 + 220 }),
    ];
    pending(connection(sockets));
    pending(connection(sockets.slice(0, 1)));
  });
});

describe('evaluateConnection: refusals, once the page gave up', () => {
  test('WS_HANDSHAKE_REJECTED with the status, the browser’s words and every attempt', () => {
    const sockets = [
      socket({ createdAt: T0, closedAt: T0 + 1, closeCode: 1006, closedByPage: true }),
      socket({
        id: 2,
        createdAt: T0 + 5,
        closedAt: T0 + 40,
        closeCode: 1006,
        handshakeStatus: 403,
        handshakeError: 'Unexpected response code: 403',
      }),
    ];
    assertFailed(
      connection(sockets, { visits: wentToLogin(60) }),
      'WS_HANDSHAKE_REJECTED',
      `${AGENT_URL} refused at the upgrade: HTTP 403 (browser: Unexpected response code: 403), 35 ms after the page opened it; then the page went to /login`,
      '#1 +0 ms, closed by the page before it opened (page /chat)',
      '#2 +5 ms, refused at the upgrade (HTTP 403; browser: Unexpected response code: 403)',
    );
  });

  test('a reload of the same route is not giving up', () => {
    const sockets = [socket({ createdAt: T0, closedAt: T0 + 20, closeCode: 1006 })];
    pending(
      connection(sockets, {
        visits: [
          { at: T0 - 2_000, url: CHAT },
          { at: T0 + 50, url: `${CHAT}?retry=1` },
        ],
      }),
    );
  });

  test('a route change before the close is not giving up', () => {
    const sockets = [socket({ createdAt: T0, closedAt: T0 + 20, closeCode: 1006 })];
    pending(connection(sockets, { visits: wentToLogin(10) }));
  });

  for (const code of [1008, 1011]) {
    test(`WS_AUTH_REJECTED for ${code} before the handshake frame`, () => {
      const closed = socket({
        createdAt: T0,
        openedAt: T0 + 30,
        closedAt: T0 + 150,
        closeCode: code,
        closeReason: 'auth failed: token expired',
      });
      assertFailed(
        connection([closed], { visits: wentToLogin(160) }),
        'WS_AUTH_REJECTED',
        `${AGENT_URL} closed ${code} "auth failed: token expired" 120 ms after the upgrade, before its handshake frame`,
      );
    });
  }

  test('WS_AUTH_REJECTED for an authenticated socket then closed 1008 for its session', () => {
    const transcript = new Transcript();
    transcript.established(40, 'u-alice');
    const closed = socket({
      createdAt: T0,
      openedAt: T0 + 30,
      closedAt: T0 + 90,
      closeCode: 1008,
      closeReason: 'auth failed: session revoked',
    });
    assertFailed(
      connection([closed], { frames: transcript.frames, visits: wentToLogin(100) }),
      'WS_AUTH_REJECTED',
      'after authenticating u-alice',
    );
  });

  test('WS_CLOSED_EARLY for any other close, and for a policy close that is not about auth after the handshake', () => {
    const closed = socket({ createdAt: T0, openedAt: T0 + 30, closedAt: T0 + 80, closeCode: 1000 });
    assertFailed(
      connection([closed], { visits: wentToLogin(90) }),
      'WS_CLOSED_EARLY',
      'closed 1000 (no reason) 50 ms after the upgrade',
    );
    const transcript = new Transcript();
    transcript.established(40);
    const limited = { ...closed, closeCode: 1008, closeReason: 'rate limit exceeded' };
    assertFailed(
      connection([limited], { frames: transcript.frames, visits: wentToLogin(90) }),
      'WS_CLOSED_EARLY',
    );
  });

  test('without the page leaving, the last refusal is final at the timeout', () => {
    const sockets = [
      socket({ createdAt: T0, closedAt: T0 + 20, closeCode: 1006, handshakeStatus: 401 }),
      socket({ id: 2, createdAt: T0 + 200, closedAt: T0 + 220, closeCode: 1006, handshakeStatus: 401 }),
    ];
    pending(connection(sockets, { elapsedMs: 9_999 }));
    assertFailed(
      connection(sockets, { elapsedMs: 10_000 }),
      'WS_HANDSHAKE_REJECTED',
      'HTTP 401',
      'no socket became usable within 10000 ms',
      '#2 +200 ms',
    );
  });
});

describe('evaluateConnection: silence', () => {
  test('pending while the socket is still opening inside the timeout', () => {
    pending(connection([socket()], { elapsedMs: 9_999 }));
    pending(connection([], { elapsedMs: 9_999 }));
  });

  test('WS_HANDSHAKE_TIMEOUT for a socket that neither opened nor closed, after a refused one', () => {
    const sockets = [
      socket({ createdAt: T0, closedAt: T0 + 20, closeCode: 1006, handshakeStatus: 403 }),
      socket({ id: 2, createdAt: T0 + 200 }),
    ];
    assertFailed(
      connection(sockets, { elapsedMs: 10_000 }),
      'WS_HANDSHAKE_TIMEOUT',
      'neither opened nor closed within 10000 ms (E2E_WS_HANDSHAKE_TIMEOUT_MS=10000)',
      'silent, not refusing',
      '#1 +0 ms, refused at the upgrade (HTTP 403)',
    );
  });

  test('WS_HANDSHAKE_TIMEOUT for a socket that opened but stayed silent', () => {
    assertFailed(
      connection([socket({ openedAt: T0 })], { elapsedMs: 10_001 }),
      'WS_HANDSHAKE_TIMEOUT',
      'opened but sent no handshake frame',
    );
  });

  test('WS_HANDSHAKE_TIMEOUT when the page never created the socket', () => {
    assertFailed(
      connection([], { elapsedMs: 10_000 }),
      'WS_HANDSHAKE_TIMEOUT',
      `the page never opened the agent socket ${AGENT_URL} within 10000 ms`,
    );
  });
});
