import { type Credential, expiredToken, foreignKeyToken, garbageToken } from '../fixtures/bad-tokens.ts';
import { expect, test } from '../fixtures/index.ts';

/** `kind` names the case in the sign-off ("expired token not run: ..."), through an annotation. */
const cases = [
  { name: 'no token', kind: 'no token', obtain: async (): Promise<Credential> => ({ token: undefined }) },
  { name: 'a garbage token', kind: 'garbage token', obtain: async () => ({ token: garbageToken() }) },
  { name: 'an expired token', kind: 'expired token', obtain: expiredToken },
  {
    name: 'a token signed by a foreign key',
    kind: 'foreign-key token',
    obtain: async (...args: Parameters<typeof foreignKeyToken>) => ({
      token: await foreignKeyToken(...args),
    }),
  },
] as const;

test.describe('agent socket authentication', { tag: '@auth' }, () => {
  test("accepts the user's own token, presented as the refusals present theirs", {
    annotation: { type: 'control', description: 'a valid token is accepted, so the refusals mean something' },
  }, async ({ user, loginPage, attemptSocket }) => {
    const token = await test.step("obtain the user's token", () => user.accessToken());
    await test.step('the agent socket accepts it', async () => {
      await loginPage.open();
      await expect(await attemptSocket(token)).toBeAccepted("the user's own token");
    });
  });

  for (const credential of cases) {
    test(`refuses ${credential.name}, and the page sends the user back to sign in`, {
      annotation: { type: 'credential', description: credential.kind },
    }, async ({ harness, user, loginPage, attemptSocket }) => {
      const obtained = await test.step(`obtain ${credential.name}`, () => credential.obtain(harness, user));
      if ('unavailable' in obtained) test.skip(true, obtained.unavailable);
      const { token } = obtained;
      if ('source' in obtained && obtained.source)
        test.info().annotations.push({ type: 'credential-source', description: obtained.source });

      await test.step('the agent socket refuses it', async () => {
        await loginPage.open();
        await expect(await attemptSocket(token)).toBeRefused(credential.name);
      });

      await test.step('the page sends the user back to sign in', async () => {
        await expect(await loginPage.openChatWith(token)).toBeSentBackToSignIn(
          `opening the chat with ${credential.name}`,
        );
      });
    });
  }
});
