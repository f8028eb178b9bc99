import { expect, test } from '../fixtures/index.ts';

test.describe('isolation', { tag: '@isolation' }, () => {
  test('two users chatting at the same time each see only their own run', async ({
    journey,
    partnerJourney: other,
    user,
    partner,
    signIn,
  }) => {
    const both = [
      { who: user, journey, other },
      { who: partner, journey: other, other: journey },
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
      for (const { journey, other } of both) expect(journey).toCarryNothingOf(other);
    });
    await test.step("each page shows its own run, and not the other's answer", async () => {
      for (const { journey, other } of both) {
        await journey.chat.expectShowsRun();
        await expect(journey).toShowNothingOf(other);
      }
    });
  });
});
