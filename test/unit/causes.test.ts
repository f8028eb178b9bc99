import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CAUSE_CODES,
  CAUSES,
  CausedError,
  causeIn,
  causeOf,
  failureSummary,
  JOURNEY_ORDER,
  journeyRank,
} from '../../harness/causes.ts';

/** The codes the issue and the README promise; the module may add more, never drop these. */
const PROMISED = [
  'CONFIG_INVALID',
  'SERVICE_UNREACHABLE',
  'SERVICE_UNHEALTHY',
  'TOKEN_REJECTED',
  'USER_UNKNOWN',
  'TOKEN_INVALID',
  'LOGIN_FAILED',
  'WS_HANDSHAKE_REJECTED',
  'WS_AUTH_REJECTED',
  'WS_HANDSHAKE_TIMEOUT',
  'WS_CLOSED_EARLY',
  'EVENT_MISSING',
  'EVENT_ORDER',
  'EVENT_LATENCY',
  'CROSS_USER_LEAK',
  'UI_NOT_RENDERED',
  'PAGE_ERROR',
];

describe('cause codes', () => {
  test('every promised code exists with a one-line meaning', () => {
    for (const code of PROMISED) assert.ok(CAUSE_CODES.includes(code as never), code);
    for (const [code, meaning] of Object.entries(CAUSES)) {
      assert.match(code, /^[A-Z_]+$/);
      assert.ok(meaning.length > 10 && !meaning.includes('\n'), code);
    }
    assert.deepEqual(CAUSE_CODES, Object.keys(CAUSES));
  });

  test('CausedError starts its message with the code and keeps the evidence', () => {
    const evidence = { status: 403 };
    const error = new CausedError('WS_HANDSHAKE_REJECTED', '/ws refused: HTTP 403', evidence);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'CausedError');
    assert.equal(error.code, 'WS_HANDSHAKE_REJECTED');
    assert.equal(error.message, '[WS_HANDSHAKE_REJECTED] /ws refused: HTTP 403');
    assert.equal(error.evidence, evidence);
  });
});

describe('causeOf', () => {
  test('reads the code at the start of a message', () => {
    assert.equal(causeOf('[EVENT_MISSING] missing tool_completed'), 'EVENT_MISSING');
    assert.equal(causeOf('Error: [WS_AUTH_REJECTED] /ws closed 1008'), 'WS_AUTH_REJECTED');
    assert.equal(causeOf('  \n[CONFIG_INVALID] E2E_USERS: missing'), 'CONFIG_INVALID');
    assert.equal(causeOf(new CausedError('TOKEN_INVALID', 'x').message), 'TOKEN_INVALID');
  });

  test('every code round-trips', () => {
    for (const code of CAUSE_CODES) assert.equal(causeOf(`[${code}] evidence`), code);
  });

  test('nothing for unknown codes, codes later in the text, or no message', () => {
    assert.equal(causeOf('[NOT_A_CAUSE] x'), undefined);
    assert.equal(causeOf('Timeout 30000ms exceeded [EVENT_MISSING]'), undefined);
    assert.equal(causeOf('[event_missing] lower case'), undefined);
    assert.equal(causeOf(''), undefined);
    assert.equal(causeOf(undefined), undefined);
  });
});

describe('JOURNEY_ORDER', () => {
  test('holds every code exactly once', () => {
    assert.deepEqual([...JOURNEY_ORDER].sort(), [...CAUSE_CODES].sort());
    assert.equal(new Set(JOURNEY_ORDER).size, JOURNEY_ORDER.length);
  });

  test('puts each stage of the journey before the next: a cause before its symptoms', () => {
    const stages: string[][] = [
      ['CONFIG_INVALID'],
      ['SERVICE_UNREACHABLE', 'SERVICE_UNHEALTHY'],
      ['TOKEN_REJECTED', 'USER_UNKNOWN', 'TOKEN_INVALID'],
      ['LOGIN_FAILED'],
      ['WS_HANDSHAKE_REJECTED', 'WS_AUTH_REJECTED', 'WS_HANDSHAKE_TIMEOUT'],
      ['WS_CLOSED_EARLY', 'EVENT_MISSING', 'EVENT_ORDER', 'EVENT_LATENCY'],
      ['UI_NOT_RENDERED', 'PAGE_ERROR'],
    ];
    for (const [index, stage] of stages.entries()) {
      for (const later of stages.slice(index + 1).flat()) {
        for (const code of stage)
          assert.ok(journeyRank(code) < journeyRank(later), `${code} before ${later}`);
      }
    }
  });

  test('ranks no code, or a code not ours, after every code', () => {
    assert.equal(journeyRank(undefined), JOURNEY_ORDER.length);
    assert.equal(journeyRank('NO_CAUSE_CODE'), JOURNEY_ORDER.length);
  });
});

describe('causeIn, the one reading of a cause from text', () => {
  test('the code at the start, else the first code of ours in the text', () => {
    assert.equal(causeIn('[EVENT_MISSING] missing tool_completed'), 'EVENT_MISSING');
    assert.equal(
      causeIn('Error: expect(received).toHaveAgentRun()\n\n[EVENT_ORDER] out of order'),
      'EVENT_ORDER',
    );
    assert.equal(causeIn('[NOT_OURS] x [WS_CLOSED_EARLY] closed 1006'), 'WS_CLOSED_EARLY');
    assert.equal(causeIn(`\u001b[31m[PAGE_ERROR] boom\u001b[39m`), 'PAGE_ERROR');
    assert.equal(causeIn('Timeout 30000ms exceeded.'), undefined);
    assert.equal(causeIn(undefined), undefined);
  });

  test('a summary starts at the code and is one line', () => {
    assert.equal(
      failureSummary('Error: expect(x)\n\n[EVENT_ORDER] out of order\nstack'),
      '[EVENT_ORDER] out of order',
    );
    assert.equal(failureSummary('Timeout 30000ms exceeded.\n  at x'), 'Timeout 30000ms exceeded.');
  });
});
