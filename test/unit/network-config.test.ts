/** E2E_CA_CERT and the proxy variables: validated by loadConfig, then applied the same way everywhere. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CausedError } from '../../harness/causes.ts';
import { loadConfig } from '../../harness/config.ts';
import { browserProxy, proxyFor } from '../../harness/proxy.ts';
import { makeCa } from '../support/certs.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'gp-network-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const STAGING = {
  E2E_ENV: 'staging',
  E2E_FRONTEND_URL: 'https://host/app/',
  E2E_API_URL: 'https://host/backend',
  E2E_AUTH_URL: 'https://host/identity',
  E2E_BYPASS_KEY: 'staging-bypass-key-0123456789',
  E2E_USERS: 'e2e-1@example.com,e2e-2@example.com',
};

function configError(env: Record<string, string>): CausedError {
  try {
    loadConfig({ cwd: dir, env });
  } catch (error) {
    assert.ok(error instanceof CausedError, String(error));
    assert.equal(error.code, 'CONFIG_INVALID');
    return error;
  }
  assert.fail('loadConfig accepted the settings');
}

describe('base URLs with paths', () => {
  test('the derived socket URL sits under the API path; base URLs lose only trailing slashes', () => {
    const config = loadConfig({ cwd: dir, env: STAGING });
    assert.equal(config.wsUrl, 'wss://host/backend/ws');
    assert.equal(config.frontendUrl, 'https://host/app');
    assert.equal(config.authUrl, 'https://host/identity');
  });
});

describe('E2E_CA_CERT', () => {
  let caFile = '';
  before(() => {
    caFile = makeCa(dir, 'ca');
  });

  test('a PEM file of certificates is read into the config', () => {
    const config = loadConfig({ cwd: dir, env: { ...STAGING, E2E_CA_CERT: 'ca.pem' } });
    assert.equal(config.network.ca?.file, caFile);
    assert.match(config.network.ca?.pem ?? '', /BEGIN CERTIFICATE/);
  });

  test('a missing file is CONFIG_INVALID naming the variable and the file', () => {
    const error = configError({ ...STAGING, E2E_CA_CERT: 'no-such-ca.pem' });
    assert.match(error.message, /E2E_CA_CERT: .*no-such-ca\.pem: cannot be read \(ENOENT\)/);
  });

  test('a file holding no certificate is CONFIG_INVALID', () => {
    writeFileSync(path.join(dir, 'empty.pem'), 'not a certificate\n');
    const error = configError({ ...STAGING, E2E_CA_CERT: 'empty.pem' });
    assert.match(error.message, /E2E_CA_CERT: .*holds no PEM certificate/);
  });

  test('a certificate that does not parse is CONFIG_INVALID', () => {
    writeFileSync(
      path.join(dir, 'broken.pem'),
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
    );
    const error = configError({ ...STAGING, E2E_CA_CERT: 'broken.pem' });
    assert.match(error.message, /E2E_CA_CERT: .*certificate 1 does not parse/);
  });

  test('a folder is CONFIG_INVALID', () => {
    const error = configError({ ...STAGING, E2E_CA_CERT: '.' });
    assert.match(error.message, /E2E_CA_CERT: .*cannot be read \(EISDIR\)/);
  });
});

describe('proxy variables', () => {
  test('upper or lower case; NO_PROXY kept; not a URL is CONFIG_INVALID', () => {
    const config = loadConfig({
      cwd: dir,
      env: { ...STAGING, https_proxy: 'http://proxy:3128', NO_PROXY: 'localhost,.internal' },
    });
    assert.deepEqual(config.network.proxy, { https: 'http://proxy:3128', noProxy: 'localhost,.internal' });
    const error = configError({ ...STAGING, HTTP_PROXY: 'proxy:3128' });
    assert.match(error.message, /HTTP_PROXY: "proxy:3128" is not an http\(s\) URL/);
  });

  test('no proxy variables: no proxy', () => {
    assert.equal(loadConfig({ cwd: dir, env: STAGING }).network.proxy, undefined);
  });
});

describe('proxyFor: which proxy a request takes', () => {
  const proxy = {
    https: 'http://secure:1',
    http: 'http://plain:2',
    noProxy: 'exact.test,.sub.test,*.star.test,ported.test:8443',
  };
  const cases: [string, string | undefined][] = [
    ['https://api.example.com/x', 'http://secure:1'],
    ['wss://api.example.com/ws', 'http://secure:1'],
    ['http://api.example.com/x', 'http://plain:2'],
    ['ws://127.0.0.1:9/ws', 'http://plain:2'],
    ['https://exact.test/', undefined],
    ['https://www.exact.test/', 'http://secure:1'],
    ['https://a.sub.test/', undefined],
    ['https://a.star.test/', undefined],
    ['https://ported.test:8443/', undefined],
    ['https://ported.test/', 'http://secure:1'],
  ];
  for (const [url, want] of cases)
    test(`${url} → ${want ?? 'direct'}`, () => assert.equal(proxyFor(url, proxy), want));

  test('HTTPS_PROXY unset: https goes through HTTP_PROXY (as undici does); NO_PROXY=* bypasses all', () => {
    assert.equal(proxyFor('https://a.test/', { http: 'http://plain:2' }), 'http://plain:2');
    assert.equal(proxyFor('http://a.test/', { https: 'http://secure:1' }), undefined);
    assert.equal(proxyFor('https://a.test/', { https: 'http://secure:1', noProxy: '*' }), undefined);
  });
});

describe('browserProxy: the browser goes the same way', () => {
  test('the proxy of the frontend scheme, NO_PROXY as bypass, loopback proxied too', () => {
    assert.deepEqual(
      browserProxy(
        { https: 'http://user:p%40ss@secure:1', noProxy: 'exact.test, .sub.test' },
        'https://host/app',
      ),
      {
        server: 'http://secure:1',
        bypass: 'exact.test,.sub.test,<-loopback>',
        username: 'user',
        password: 'p@ss',
      },
    );
    assert.deepEqual(browserProxy({ http: 'http://plain:2' }, 'http://127.0.0.1:1'), {
      server: 'http://plain:2',
      bypass: '<-loopback>',
    });
    assert.equal(browserProxy({ https: 'http://secure:1' }, 'http://127.0.0.1:1'), undefined);
    assert.equal(browserProxy(undefined, 'http://127.0.0.1:1'), undefined);
  });
});
