import { expect, test } from '../fixtures/index.ts';

test.describe('golden path', { tag: '@golden-path' }, () => {
  test('a signed-in user chats and watches the agent work', async ({
    user,
    journey,
    signIn,
    chat,
    agentSocket,
  }) => {
    await test.step('sign in', () => signIn(journey, user));

    await test.step('the chat shows the user, over an authenticated agent socket', async () => {
      await expect(agentSocket).toBeAuthenticatedAs(user);
      await chat.expectSignedInAs(user.email);
    });

    const message = await test.step('send a message', () =>
      chat.send('Which three checks matter most before a production release?'));

    await test.step('the five agent events arrive in order, for this run only', async () => {
      await expect(agentSocket).toHaveAgentRun({ message, user });
    });

    await test.step('the page shows each event and the answer', async () => {
      await chat.expectShowsRun();
    });
  });
});
