import { expect, test } from '../fixtures/index.ts';
import { request } from '../harness/http.ts';

test.describe('resilience', { tag: '@resilience' }, () => {
  test('after the server drops the socket, the page reconnects and the next message completes', async ({
    harness,
    user,
    journey,
    signIn,
    chat,
    agentSocket,
  }) => {
    const control = harness.config.controlUrl;
    test.skip(
      !control,
      'needs E2E_CONTROL_URL: a platform that can drop sockets on demand (the reference platform)',
    );

    await test.step('sign in and complete a first run', async () => {
      await signIn(journey, user);
      await expect(agentSocket).toBeAuthenticatedAs(user);
      const first = await chat.send('First question, before the connection drops');
      await expect(agentSocket).toHaveAgentRun({ message: first, user });
    });

    const dropped = agentSocket.connection;
    await test.step("the server drops this user's agent sockets", async () => {
      // Only this user's: the other worker's tests (isolation) must keep their sockets.
      const userId = encodeURIComponent(await user.userId());
      const response = await request(`${control}/drop-sockets?user_id=${userId}`, { method: 'POST' });
      expect(response.statusCode, 'POST /__platform/drop-sockets').toBe(200);
      await response.body.dump();
    });

    await test.step('the page reconnects, authenticated as the same user', async () => {
      await expect(agentSocket).toBeAuthenticatedAs(user, { after: dropped?.socket });
    });

    await test.step('the next message completes the golden path on the new socket', async () => {
      const second = await chat.send('Second question, after reconnecting');
      await expect(agentSocket).toHaveAgentRun({ message: second, user });
      await chat.expectShowsRun();
    });
  });
});
