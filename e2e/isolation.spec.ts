import { expect, test } from '../fixtures/index.ts';
import { CausedError } from '../harness/causes.ts';

test.describe('isolation', { tag: '@isolation' }, () => {
  test('two users chatting at the same time each see only their own run', async ({
    journey,
    partnerJourney: other,
    user,
    partner,
    signIn,
  }) => {
    const both = [
      { who: user, journey },
      { who: partner, journey: other },
    ] as const;
    await test.step('both users sign in, each in their own browser context', () =>
      Promise.all(both.map(({ who, journey }) => signIn(journey, who))));
    await test.step('each agent socket is authenticated as its own user', () =>
      Promise.all(both.map(({ who, journey }) => expect(journey.agentSocket).toBeAuthenticatedAs(who))));
    const sent = await test.step('both send a message at the same moment', () =>
      Promise.all(
        both.map(async (side) => ({
          ...side,
          message: await side.journey.chat.send(`Summarise the release notes for ${side.who.email}`),
        })),
      ));
    await test.step('each socket carries its own run and nothing of the other', async () => {
      await Promise.all(
        sent.map(({ who, journey, message }) =>
          expect(journey.agentSocket).toHaveAgentRun({ message, user: who }),
        ),
      );
      for (const [index, { journey }] of both.entries()) {
        const mine = journey.agentSocket.lastRun;
        const theirs = both[1 - index]?.journey.agentSocket;
        const foreign = [
          theirs?.lastRun?.runId,
          theirs?.lastRun?.threadId,
          theirs?.connection?.userId,
        ].filter((value): value is string => !!value && value !== mine?.runId);
        const leaked = journey.agentSocket.frames.find((frame) =>
          foreign.some((value) => JSON.stringify(frame.json ?? '').includes(value)),
        );
        if (leaked) {
          throw new CausedError(
            'CROSS_USER_LEAK',
            `frame #${leaked.seq} on ${both[index]?.who.email}'s socket mentions the other user's run, thread or id`,
          );
        }
      }
    });
    await test.step("each page shows its own run, and not the other's answer", async () => {
      for (const [index, { journey }] of both.entries()) {
        await journey.chat.expectShowsRun();
        const otherAnswer = both[1 - index]?.journey.agentSocket.lastRun?.result;
        const shown = await journey.chat.answersShown();
        if (typeof otherAnswer === 'string' && shown.some((text) => text.includes(otherAnswer))) {
          throw new CausedError(
            'CROSS_USER_LEAK',
            `${both[index]?.who.email}'s page shows the other user's answer`,
          );
        }
      }
    });
  });
});
