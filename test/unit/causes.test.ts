import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CAUSE_CODES, CAUSES, CausedError, causeOf } from '../../harness/causes.ts';

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
