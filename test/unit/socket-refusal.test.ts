import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { contractDialect, netraDialect } from '../../harness/dialects/index.ts';
import {
  attemptProtocols,
  judgeAcceptance,
  judgeRefusal,
  readAttemptFrame,
} from '../../harness/socket-refusal.ts';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2ln';

describe("the auth spec's own socket speaks the configured dialect", () => {
  test('the token is presented as the dialect presents it, and no token offers only the base protocols', () => {
    assert.deepEqual(attemptProtocols(contractDialect, TOKEN), ['jwt-auth', `jwt.${TOKEN}`]);
    assert.deepEqual(attemptProtocols(netraDialect, TOKEN), [
      'jwt-auth',
      `jwt.${Buffer.from(TOKEN).toString('base64url')}`,
    ]);
    assert.deepEqual(attemptProtocols(contractDialect, undefined), ['jwt-auth']);
  });

  test("each dialect's handshake is recognised, by the dialect's label; the other's is not", () => {
    const contract = JSON.stringify({ type: 'connection_established', user_id: 'usr_1' });
    const netra = JSON.stringify({
      type: 'system_message',
      data: {
        event: 'connection_established',
        connection_id: 'c1',
        user_id: 'e2e-a',
        connection_ready: true,
      },
    });
    assert.deepEqual(readAttemptFrame(contractDialect, contract), {
      kind: 'handshake',
      label: 'connection_established',
    });
    assert.deepEqual(readAttemptFrame(netraDialect, netra), {
      kind: 'handshake',
      label: 'system_message connection_established',
    });
    assert.deepEqual(readAttemptFrame(contractDialect, netra), { kind: 'other' });
  });

  test("a refusal frame is read where the dialect announces one, and is nothing to the contract's", () => {
    const frame = JSON.stringify({
      type: 'error_message',
      error_code: 'AUTH_FAILED',
      error_message: 'Invalid token',
    });
    assert.deepEqual(readAttemptFrame(netraDialect, frame), {
      kind: 'refusal',
      refusal: { code: 'AUTH_FAILED', text: 'Invalid token' },
    });
    assert.deepEqual(readAttemptFrame(contractDialect, frame), { kind: 'other' });
    assert.deepEqual(readAttemptFrame(netraDialect, 'not json'), { kind: 'other' });
  });
});

describe('judging an attempt with a bad credential', () => {
  test('an accepted socket is WS_AUTH_NOT_ENFORCED, naming the handshake it got', () => {
    const verdict = judgeRefusal({ outcome: 'accepted', afterMs: 12, handshake: 'connection_established' });
    assert.equal(verdict.refused, false);
    assert.equal(verdict.cause, 'WS_AUTH_NOT_ENFORCED');
    assert.equal(verdict.how, 'accepted: connection_established after 12 ms');
  });

  test('401/403 at the upgrade and 1008/1011 after it are refusals; anything else is not', () => {
    for (const status of [401, 403])
      assert.equal(
        judgeRefusal({ outcome: 'refused-at-upgrade', afterMs: 5, status, said: `HTTP ${status}` }).refused,
        true,
      );
    const at500 = judgeRefusal({ outcome: 'refused-at-upgrade', afterMs: 5, status: 500, said: 'HTTP 500' });
    assert.deepEqual([at500.refused, at500.cause], [false, 'WS_AUTH_NOT_ENFORCED']);
    for (const code of [1008, 1011])
      assert.equal(
        judgeRefusal({ outcome: 'closed', afterMs: 9, openedAfterMs: 4, code, reason: 'auth failed' })
          .refused,
        true,
      );
    const normal = judgeRefusal({ outcome: 'closed', afterMs: 9, openedAfterMs: 4, code: 1000, reason: '' });
    assert.deepEqual([normal.refused, normal.cause], [false, 'WS_AUTH_NOT_ENFORCED']);
  });

  test('the refusal frame goes into the evidence before the close', () => {
    const { how, refused } = judgeRefusal({
      outcome: 'closed',
      afterMs: 30,
      openedAfterMs: 10,
      code: 1008,
      reason: 'SSOT Auth failed',
      refusal: { code: 'AUTH_FAILED', text: 'Invalid token' },
    });
    assert.equal(refused, true);
    assert.equal(
      how,
      'opened, then said AUTH_FAILED "Invalid token", then closed 1008 "SSOT Auth failed" 20 ms after the upgrade',
    );
  });

  test('silence is WS_HANDSHAKE_TIMEOUT, not a refusal', () => {
    const verdict = judgeRefusal({ outcome: 'silent', afterMs: 4000, opened: false });
    assert.deepEqual([verdict.refused, verdict.cause], [false, 'WS_HANDSHAKE_TIMEOUT']);
    assert.match(verdict.how, /neither opened nor closed within 4000 ms/);
  });
});

describe('judgeAcceptance: the control before the refusals', () => {
  it('passes only an accepted socket', () => {
    assert.deepEqual(
      judgeAcceptance({ outcome: 'accepted', afterMs: 12, handshake: 'connection_established' }),
      {
        accepted: true,
        how: 'accepted: connection_established after 12 ms',
      },
    );
  });
  it('a refusal of the valid token is WS_AUTH_REJECTED, and says the refusals prove nothing', () => {
    const verdict = judgeAcceptance({
      outcome: 'refused-at-upgrade',
      afterMs: 9,
      status: 401,
      said: 'HTTP 401',
    });
    assert.equal(verdict.cause, 'WS_AUTH_REJECTED');
    assert.match(verdict.how, /refused at the upgrade \(HTTP 401\).*prove nothing.*tokenProtocol/);
    const closed = judgeAcceptance({
      outcome: 'closed',
      afterMs: 30,
      openedAfterMs: 10,
      code: 1008,
      reason: 'auth',
    });
    assert.equal(closed.cause, 'WS_AUTH_REJECTED');
  });
  it('silence is WS_HANDSHAKE_TIMEOUT', () => {
    assert.equal(
      judgeAcceptance({ outcome: 'silent', afterMs: 4000, opened: false }).cause,
      'WS_HANDSHAKE_TIMEOUT',
    );
  });
});
