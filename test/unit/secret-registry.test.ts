import assert from 'node:assert/strict';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { credentialsIn, SecretRegistry, secretForms } from '../../harness/secret-registry.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gp-secrets-'));
  dirs.push(dir);
  return dir;
};

/** Bytes whose base64 holds `+` and `/`, so base64 and base64url differ. */
const BYPASS = 'by~pass?>key ü/1';
const b64 = Buffer.from(BYPASS).toString('base64');
const b64url = Buffer.from(BYPASS).toString('base64url');

describe('secretForms', () => {
  test('plain, base64 (with and without padding), base64url and URL-encoded', () => {
    assert.ok(/[+/]/.test(b64) && b64 !== b64url, 'the fixture must make base64 and base64url differ');
    const forms = secretForms(BYPASS);
    assert.ok(forms.includes(BYPASS));
    assert.ok(forms.includes(b64));
    assert.ok(forms.includes(b64.replace(/=+$/, '')));
    assert.ok(forms.includes(b64url));
    assert.ok(forms.includes(encodeURIComponent(BYPASS)));
    assert.equal(new Set(forms).size, forms.length);
  });
});

describe('credentialsIn', () => {
  test('finds the tokens of an auth answer, plain or as escaped JSON inside a string', () => {
    const answer =
      '{"access_token":"eyJhbGciOi.eyJzdWIi.sig-123","token_type":"Bearer","refresh_token":"rt_0123456789"}';
    const expected = [
      { label: 'access-token', value: 'eyJhbGciOi.eyJzdWIi.sig-123' },
      { label: 'refresh-token', value: 'rt_0123456789' },
    ];
    assert.deepEqual(credentialsIn(answer), expected);
    assert.deepEqual(credentialsIn(JSON.stringify({ body: answer })), expected);
    assert.deepEqual(credentialsIn('{"id_token" : "abcdefgh"}'), [{ label: 'id-token', value: 'abcdefgh' }]);
  });

  test('ignores other fields, short values and what is already masked', () => {
    assert.deepEqual(credentialsIn('{"token_type":"Bearer","expires_in":900}'), []);
    assert.deepEqual(credentialsIn('{"access_token":"abc"}'), []);
    assert.deepEqual(credentialsIn('{"access_token":"[redacted:access-token]"}'), []);
  });
});

describe('SecretRegistry.mask', () => {
  const registry = new SecretRegistry();
  registry.add('bypass-key', BYPASS);
  registry.add('access-token', 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1LTEifQ.c2lnbmF0dXJl');

  test('masks the plain form with its label', () => {
    assert.equal(registry.mask(`key=${BYPASS}; done`), 'key=[redacted:bypass-key]; done');
  });

  for (const [form, value] of [
    ['base64', b64],
    ['unpadded base64', b64.replace(/=+$/, '')],
    ['base64url', b64url],
    ['URL-encoded', encodeURIComponent(BYPASS)],
  ] as const) {
    test(`masks the ${form} form`, () => {
      const masked = registry.mask(`before ${value} after`);
      assert.equal(masked, 'before [redacted:bypass-key] after');
    });
  }

  test('masks every occurrence of every secret, e.g. a jwt.<token> subprotocol', () => {
    const token = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1LTEifQ.c2lnbmF0dXJl';
    const text = `Sec-WebSocket-Protocol: jwt-auth, jwt.${token}\n${token} ${BYPASS}`;
    assert.equal(
      registry.mask(text),
      'Sec-WebSocket-Protocol: jwt-auth, jwt.[redacted:access-token]\n[redacted:access-token] [redacted:bypass-key]',
    );
  });

  test("masks netra's refusal frame, which echoes the jwt.<base64url(token)> subprotocol, also as escaped JSON", () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJlMmUtYWxpY2UifQ.c2lnbmF0dXJlLWhzMjU2';
    const netra = new SecretRegistry();
    netra.add('access-token', token);
    const encoded = Buffer.from(token).toString('base64url');
    const frame = JSON.stringify({
      type: 'error_message',
      error_code: 'AUTH_FAILED',
      details: { failure_context: { auth_headers: { websocket_protocol: `jwt-auth, jwt.${encoded}` } } },
    });
    for (const text of [frame, JSON.stringify({ frame })]) {
      const masked = netra.mask(text);
      assert.ok(!masked.includes(encoded) && !masked.includes(token), masked);
      assert.match(masked, /jwt\.\[redacted:access-token\]/);
    }
  });

  test('text without secrets is unchanged; an empty registry changes nothing', () => {
    assert.equal(registry.mask('nothing to see'), 'nothing to see');
    assert.equal(new SecretRegistry().mask(BYPASS), BYPASS);
  });

  test('short values are not secrets (masking them would shred ordinary text)', () => {
    const short = new SecretRegistry();
    short.add('pin', 'abc12');
    short.add('empty', '');
    short.add('none', undefined);
    assert.deepEqual(short.list(), []);
    assert.equal(short.mask('abc12 is here'), 'abc12 is here');
  });

  test('a secret added after masking is masked too; duplicates are kept once', () => {
    const late = new SecretRegistry();
    late.add('first', 'first-secret-value');
    assert.equal(late.mask('second-secret-value'), 'second-secret-value');
    late.add('second', 'second-secret-value');
    late.add('again', 'second-secret-value');
    assert.equal(late.mask('second-secret-value'), '[redacted:second]');
    assert.equal(late.list().length, 2);
  });

  test('regex characters in a secret are taken literally', () => {
    const tricky = new SecretRegistry();
    tricky.add('pw', 'a.b*c+d(e)');
    assert.equal(tricky.mask('a.b*c+d(e) aXbbbc+d(e)'), '[redacted:pw] aXbbbc+d(e)');
  });
});

describe('SecretRegistry across processes', () => {
  test('writes what it learns to a 0600 file under <stateDir>/secrets', () => {
    const stateDir = tempDir();
    const registry = new SecretRegistry(stateDir);
    registry.add('password', 'correct-horse-battery');
    const file = path.join(stateDir, 'secrets', `${process.pid}.jsonl`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8').trim()), {
      label: 'password',
      value: 'correct-horse-battery',
    });
  });

  test('readAll gathers every file, skipping a line a crashed writer cut short', () => {
    const stateDir = tempDir();
    new SecretRegistry(stateDir).add('bypass-key', 'local-bypass-key');
    const dir = path.join(stateDir, 'secrets');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, '999999.jsonl'),
      `${JSON.stringify({ label: 'access-token', value: 'tok-123456789' })}\n`,
    );
    appendFileSync(path.join(dir, '999999.jsonl'), '{"label":"refresh-token","val');
    const all = SecretRegistry.readAll(stateDir);
    assert.deepEqual(
      all
        .list()
        .map((secret) => secret.label)
        .sort(),
      ['access-token', 'bypass-key'],
    );
    assert.equal(all.mask('local-bypass-key tok-123456789'), '[redacted:bypass-key] [redacted:access-token]');
  });

  test('readAll of a folder nobody wrote to is empty', () => {
    assert.deepEqual(SecretRegistry.readAll(tempDir()).list(), []);
  });
});
