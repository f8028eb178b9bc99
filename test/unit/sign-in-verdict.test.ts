import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type SentBackSeen,
  type SignInSeen,
  sentBackFailure,
  signInFailure,
} from '../../harness/sign-in-verdict.ts';

describe('signInFailure: the chat first, or LOGIN_FAILED with what the page showed', () => {
  const at = { how: 'password sign-in as a@example.test', path: '/login', waitedMs: 5000 };
  const table: [string, SignInSeen, string | undefined][] = [
    ['the chat', { ...at, path: '/chat', shown: 'chat' }, undefined],
    [
      'an alert',
      { ...at, shown: 'alert', text: 'Invalid email or password' },
      'password sign-in as a@example.test: the page said "Invalid email or password" at /login',
    ],
    [
      'nothing',
      { ...at, shown: 'nothing' },
      'password sign-in as a@example.test: neither the chat nor an alert appeared within 5000 ms; the page is at /login',
    ],
  ];
  for (const [name, seen, summary] of table)
    it(name, () => {
      const failure = signInFailure(seen);
      assert.deepEqual(failure, summary === undefined ? undefined : { code: 'LOGIN_FAILED', summary });
    });
});

describe('sentBackFailure: back to sign in, saying why when a token was refused', () => {
  const why = 'opening the chat with a garbage token';
  const base = { path: '/login', waitedMs: 10000 };
  const table: [string, SentBackSeen, string | undefined][] = [
    ['no token, sent back', { ...base, sentBack: true, reasonDue: false, reasonShown: false }, undefined],
    [
      'a token, sent back with a reason',
      { ...base, sentBack: true, reasonDue: true, reasonShown: true },
      undefined,
    ],
    [
      'no token, left on the chat',
      { ...base, path: '/chat', sentBack: false, reasonDue: false, reasonShown: false },
      `${why}: the page should send the user back to sign in; it is at /chat after 10000 ms`,
    ],
    [
      'a token, left on the chat',
      { ...base, path: '/chat', sentBack: false, reasonDue: true, reasonShown: false },
      `${why}: the page should send the user back to sign in and say why; it is at /chat after 10000 ms`,
    ],
    [
      'a token, sent back without a reason',
      { ...base, sentBack: true, reasonDue: true, reasonShown: false },
      `${why}: the page should send the user back to sign in and say why; it is at /login after 10000 ms`,
    ],
  ];
  for (const [name, seen, summary] of table)
    it(name, () => {
      assert.deepEqual(
        sentBackFailure(why, seen),
        summary === undefined ? undefined : { code: 'UI_NOT_RENDERED', summary },
      );
    });
});
