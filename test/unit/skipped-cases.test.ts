import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { caseOf, sayRefused, saySkipped, skippedCaseOf } from '../../harness/skipped-cases.ts';

const kind = (name: string, ...more: { type: string; description?: string }[]) => ({
  title: `refuses ${name}, and the page sends the user back to sign in`,
  annotations: [{ type: 'credential', description: name }, ...more],
});

describe('skipped cases are said', () => {
  test('a skipped case is named with its reason, and three kinds are not "every"', () => {
    const skipped = skippedCaseOf(
      kind('expired token', { type: 'skip', description: 'the deployment ignores test-auth `expires_in`' }),
    );
    assert.deepEqual(skipped, {
      case: 'expired token',
      reason: 'the deployment ignores test-auth `expires_in`',
    });
    const refused = [kind('no token'), kind('garbage token'), kind('foreign-key token')];
    assert.equal(
      sayRefused(refused, [skipped]),
      '3 of 4 kinds refused; expired token not run: the deployment ignores test-auth `expires_in`; the page sent the user back to sign in',
    );
  });

  test('where a credential came from is said; a test without annotations is named by its title', () => {
    const expired = kind('expired token', { type: 'credential-source', description: 'the token cache' });
    assert.equal(
      sayRefused([kind('no token'), expired], []),
      '2 of 2 kinds refused; the page sent the user back to sign in (expired token from the token cache)',
    );
    assert.equal(caseOf({ title: 'two users' }), 'two users');
    assert.equal(
      saySkipped([skippedCaseOf({ title: 'two users' })]),
      'two users not run: skipped without a reason',
    );
  });

  test('the valid-token control is not a kind of bad credential', () => {
    const control = {
      title: "accepts the user's own token, presented as the refusals present theirs",
      annotations: [{ type: 'control', description: 'a valid token is accepted' }],
    };
    assert.equal(
      sayRefused([control, kind('no token')], []),
      '1 of 1 kinds refused; the page sent the user back to sign in',
    );
  });
});
