import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contractDialect, netraDialect } from '../../harness/dialects/index.ts';
import { withSignInPage } from '../../harness/preflight.ts';

describe("the preflight's page probe follows the profile's sign-in page", () => {
  test('a moved sign-in page moves the page probe, and no other probe', () => {
    for (const dialect of [contractDialect, netraDialect]) {
      const moved = withSignInPage(dialect.health, '/signin');
      const page = moved.probes.filter((probe) => probe.check === 'page');
      assert.deepEqual(page, [{ service: 'frontend', path: '/signin', check: 'page' }]);
      assert.deepEqual(
        moved.probes.filter((probe) => probe.check !== 'page'),
        dialect.health.probes.filter((probe) => probe.check !== 'page'),
      );
      assert.equal(moved.unhealthy, dialect.health.unhealthy);
    }
  });
});
