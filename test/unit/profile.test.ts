import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { CausedError } from '../../harness/causes.ts';
import { profileProblems, resolveProfile } from '../../harness/profile.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'gp-profile-'));
const write = (name: string, text: string) => {
  writeFileSync(path.join(dir, name), text);
  return name;
};

async function rejects(spec: string, ...words: string[]): Promise<void> {
  await assert.rejects(resolveProfile(spec, dir), (error: unknown) => {
    assert.ok(error instanceof CausedError);
    assert.equal(error.code, 'CONFIG_INVALID');
    for (const word of words) assert.ok(error.message.includes(word), `"${word}" not in ${error.message}`);
    return true;
  });
}

describe('platform profiles', () => {
  test('the default is the contract; netra is built in', async () => {
    const contract = await resolveProfile(undefined, dir);
    assert.equal(contract.dialect.name, 'contract');
    assert.equal(contract.tokens.verify, 'jwks');
    const netra = await resolveProfile('netra', dir);
    assert.equal(netra.dialect.name, 'netra');
    assert.equal(netra.tokens.verify, 'hs256');
    assert.equal(netra.ui.chatPath, '/chat');
  });

  test('a module that extends a built-in overrides only what it gives, nested objects merged', async () => {
    const file = write(
      'acme.mjs',
      "export default { extends: 'contract', tokens: { refreshField: 'token' }, ui: { chatPath: '/app/chat', answer: (page) => page.getByTestId('assistant-answer') } };",
    );
    const profile = await resolveProfile(file, dir);
    assert.equal(profile.name, file);
    assert.equal(profile.ui.chatPath, '/app/chat');
    assert.equal(profile.ui.loginPath, '/login');
    assert.equal(profile.tokens.refreshField, 'token');
    assert.equal(profile.tokens.verify, 'jwks');
    assert.equal(profile.dialect.name, 'contract');
  });

  test('a dialect object overrides single functions of the base dialect', async () => {
    const file = write('own.mjs', "export default { extends: 'netra', dialect: { label: () => 'x' } };");
    const profile = await resolveProfile(file, dir);
    assert.equal(profile.dialect.label({}), 'x');
    assert.equal(profile.dialect.name, 'netra');
  });

  test('malformed profiles are CONFIG_INVALID naming the field and what it should be', async () => {
    await rejects('nope', 'not a built-in profile');
    await rejects('missing.mjs', 'no such file');
    await rejects(write('throws.mjs', "throw new Error('boom');"), 'does not load: boom');
    await rejects(write('list.mjs', 'export default [];'), 'not a plain object');
    await rejects(
      write(
        'bad.mjs',
        "export default { extends: 'other', ui: { answer: 'x', chatPath: 'chat', colour: 1 }, tokens: { verify: 'md5' }, dialect: { frob: 1 } };",
      ),
      'extends: "other" is not a built-in profile',
      'ui.answer: want a function (page) => Locator',
      'ui.chatPath: want a path starting with /',
      'ui.colour: not a ui field',
      'tokens.verify: "md5"',
      'dialect.frob: not a dialect field',
    );
    assert.deepEqual(profileProblems({ extends: 'contract' }), []);
  });
});
