import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultWsUrl, pathUnder, urlUnder } from '../../harness/url.ts';

describe('urlUnder: a route under a base URL keeps the base path', () => {
  const cases: [string, string, string][] = [
    ['https://host', '/health', 'https://host/health'],
    ['https://host/', 'health', 'https://host/health'],
    ['https://host/identity', '/.well-known/jwks.json', 'https://host/identity/.well-known/jwks.json'],
    ['https://host/identity/', '/auth/refresh', 'https://host/identity/auth/refresh'],
    ['https://host/a/b//', 'auth/e2e/test-auth', 'https://host/a/b/auth/e2e/test-auth'],
    ['https://host/app/', '/login?reason=x%20y', 'https://host/app/login?reason=x%20y'],
    ['http://127.0.0.1:8080/backend', '/ws/config', 'http://127.0.0.1:8080/backend/ws/config'],
    ['https://host/base?drop=1#frag', '/health', 'https://host/base/health'],
  ];
  for (const [base, route, want] of cases) {
    test(`${base} + ${route}`, () => assert.equal(urlUnder(base, route), want));
  }

  test('pathUnder gives the path alone', () => {
    assert.equal(pathUnder('https://host/app/', 'login'), '/app/login');
    assert.equal(pathUnder('https://host', '/login'), '/login');
  });
});

describe('defaultWsUrl: the agent socket derived from E2E_API_URL', () => {
  test('an API at the host root: ws(s)://<api host>/ws', () => {
    assert.equal(defaultWsUrl('https://api.example.com'), 'wss://api.example.com/ws');
    assert.equal(defaultWsUrl('http://127.0.0.1:47812'), 'ws://127.0.0.1:47812/ws');
  });
  test('an API under a path: the socket under that path', () => {
    assert.equal(defaultWsUrl('https://host/backend'), 'wss://host/backend/ws');
    assert.equal(defaultWsUrl('http://host:81/backend/'), 'ws://host:81/backend/ws');
  });
});
