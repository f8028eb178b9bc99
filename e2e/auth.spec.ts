import { expiredToken, foreignKeyToken, garbageToken } from '../fixtures/bad-tokens.ts';
import { test } from '../fixtures/index.ts';
import { attemptAgentSocket, describeRefusal } from '../fixtures/socket-attempt.ts';
import { CausedError } from '../harness/causes.ts';

const cases = [
  { name: 'no token', token: async () => undefined },
  { name: 'a garbage token', token: async () => garbageToken() },
  { name: 'an expired token', token: expiredToken },
  { name: 'a token signed by a foreign key', token: foreignKeyToken },
] as const;

test.describe('agent socket authentication', { tag: '@auth' }, () => {
  for (const credential of cases) {
    test(`refuses ${credential.name}, and the page sends the user back to sign in`, async ({
      harness,
      user,
      loginPage,
      page,
    }) => {
      const { config } = harness;
      const token = await test.step(`obtain ${credential.name}`, () => credential.token(harness, user));
      test.skip(
        credential.name === 'an expired token' && token === undefined,
        'this deployment ignores test-auth expires_in, so no genuinely expired token can be had',
      );

      await test.step('the agent socket refuses it', async () => {
        await loginPage.open();
        const protocols = token === undefined ? ['jwt-auth'] : ['jwt-auth', `jwt.${token}`];
        const attempt = await attemptAgentSocket(page, config.wsUrl, protocols, config.handshakeTimeoutMs);
        const { refused, how } = describeRefusal(attempt);
        if (attempt.outcome === 'silent') {
          throw new CausedError('WS_HANDSHAKE_TIMEOUT', `${config.wsUrl} with ${credential.name}: ${how}`);
        }
        if (!refused)
          throw new CausedError('WS_AUTH_NOT_ENFORCED', `${config.wsUrl} with ${credential.name}: ${how}`);
        test.info().annotations.push({ type: 'refusal', description: how });
      });

      await test.step('the page sends the user back to sign in', () =>
        loginPage.expectChatRefused(token, `opening the chat with ${credential.name}`));
    });
  }
});
