/** The bare protocol client run as a Playwright test body (see bench/warm-spec.ts). */
import type { TestInfo } from '@playwright/test';
import type { HarnessConfig } from '../harness/config.ts';
import { bareJourney } from './bare-client.ts';

export async function bareTest(config: HarnessConfig, testInfo: TestInfo): Promise<void> {
  const email = config.users[testInfo.parallelIndex] ?? config.users[0] ?? '';
  const result = await bareJourney({
    authUrl: config.authUrl,
    wsUrl: config.wsUrl,
    bypassKey: config.bypassKey,
    email,
  });
  await testInfo.attach('bench-bare.json', { body: JSON.stringify(result), contentType: 'application/json' });
  if (!result.ok) throw new Error(`bare journey failed: ${result.error}`);
}
