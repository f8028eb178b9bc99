import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { closeCause, describeClose } from '../../harness/socket-close.ts';

describe('closeCause: what a close before the run completed stands for', () => {
  const rows: [code: number | undefined, reason: string, authenticated: boolean, expected: string][] = [
    // Before the handshake frame: any policy close is a refusal.
    [1008, 'auth failed: token expired', false, 'WS_AUTH_REJECTED'],
    [1011, 'auth failed: auth service unavailable', false, 'WS_AUTH_REJECTED'],
    [1008, '', false, 'WS_AUTH_REJECTED'],
    [1011, 'internal error', false, 'WS_AUTH_REJECTED'],
    [1008, 'rate limit exceeded', false, 'WS_AUTH_REJECTED'],
    // After it: only a reason about auth, tokens or sessions makes it one.
    [1008, 'auth failed: session revoked', true, 'WS_AUTH_REJECTED'],
    [1008, 'SSOT Auth failed', true, 'WS_AUTH_REJECTED'],
    [1011, 'Authentication failed', true, 'WS_AUTH_REJECTED'],
    [1008, 'token expired', true, 'WS_AUTH_REJECTED'],
    [1008, 'JWT signature invalid', true, 'WS_AUTH_REJECTED'],
    [1008, 'Unauthorized', true, 'WS_AUTH_REJECTED'],
    [1008, 'permission denied', true, 'WS_AUTH_REJECTED'],
    [1008, 'credentials revoked', true, 'WS_AUTH_REJECTED'],
    [1008, 'rate limit exceeded', true, 'WS_CLOSED_EARLY'],
    [1008, 'message too large for policy', true, 'WS_CLOSED_EARLY'],
    [1011, 'internal error', true, 'WS_CLOSED_EARLY'],
    [1008, '', true, 'WS_CLOSED_EARLY'],
    [1008, 'author field missing', true, 'WS_CLOSED_EARLY'],
    // Any other code is an early close, whatever the reason says.
    [1000, 'auth failed', false, 'WS_CLOSED_EARLY'],
    [1006, '', true, 'WS_CLOSED_EARLY'],
    [1001, 'going away', true, 'WS_CLOSED_EARLY'],
    [4401, 'unauthorized', true, 'WS_CLOSED_EARLY'],
    [undefined, '', false, 'WS_CLOSED_EARLY'],
  ];
  for (const [code, reason, authenticated, expected] of rows) {
    test(`${code} "${reason}" ${authenticated ? 'after' : 'before'} the handshake → ${expected}`, () => {
      assert.equal(closeCause({ code, reason, authenticated }), expected);
    });
  }

  test('a socket the page closed itself is never a refusal', () => {
    assert.equal(
      closeCause({ code: 1008, reason: 'auth', authenticated: false, closedByPage: true }),
      'WS_CLOSED_EARLY',
    );
  });

  test('describes who closed it, the code and the reason', () => {
    assert.equal(describeClose({ code: 1008, reason: 'x' }), 'closed 1008 "x"');
    assert.equal(describeClose({ code: 1006, reason: '' }), 'closed 1006 (no reason)');
    assert.equal(
      describeClose({ code: 1000, reason: '', closedByPage: true }),
      'closed by the page 1000 (no reason)',
    );
  });
});
