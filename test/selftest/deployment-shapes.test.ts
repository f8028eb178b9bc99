/**
 * Deployment shapes the contract allows, each on a reference platform started in that shape:
 * the sign-off (the preflight, golden path, auth and isolation specs in one child run, then the
 * verdict) must approve. Shapes: one origin serving all three services under path prefixes with
 * the frontend under a sub-path; https/wss with a private CA this file generates with openssl;
 * and every request through a loopback proxy that counts what it forwarded. Then the failures:
 * an unreadable E2E_CA_CERT is CONFIG_INVALID, a chain that does not verify SERVICE_UNREACHABLE.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeCa, makeServerCert } from '../support/certs.ts';
import {
  type ChildRun,
  firstCause,
  harnessEnv,
  type RunningPlatform,
  runHarness,
  runSignoff,
  type SignoffChild,
  startPlatform,
} from '../support/platform.ts';

const base = mkdtempSync(path.join(tmpdir(), 'golden-path-shapes-'));
const file = (name: string) => path.join(base, name);

interface Forwarded {
  kind: 'request' | 'connect';
  target: string;
  userAgent: string;
}

/** An HTTP proxy on loopback: forwards absolute-form requests and CONNECT tunnels, and counts them. */
async function startProxy(): Promise<{ url: string; forwarded: Forwarded[]; stop: () => Promise<void> }> {
  const forwarded: Forwarded[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    forwarded.push({ kind: 'request', target: req.url ?? '', userAgent: req.headers['user-agent'] ?? '' });
    const target = new URL(req.url ?? '');
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    forwarded.push({ kind: 'connect', target: req.url ?? '', userAgent: req.headers['user-agent'] ?? '' });
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    stop: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Every test of the sign-off's four specs passed (none skipped but the expired-token case). */
function assertApproved(run: SignoffChild): void {
  const output = `${run.stdout}\n${run.stderr}`.slice(-4000);
  assert.equal(run.verdict, 'APPROVED', output);
  assert.equal(run.exitCode, 0, output);
  const tests = run.diagnosis?.tests ?? [];
  for (const tag of ['@preflight', '@golden-path', '@auth', '@isolation']) {
    const tagged = tests.filter((test) => test.tags?.includes(tag));
    assert.ok(tagged.length > 0, `no ${tag} test ran:\n${output}`);
    for (const test of tagged)
      assert.equal(test.status, 'passed', `${tag} ${test.title}: ${test.summary ?? ''}`);
  }
}

/** The harness's own message for a run that stopped in global setup. */
const saidBy = (run: ChildRun) => `${run.stdout}\n${run.stderr}`;

describe('deployment shapes: each passes the sign-off on a platform in that shape', {
  timeout: 400_000,
}, () => {
  const platforms: RunningPlatform[] = [];
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let oneOrigin: RunningPlatform;
  let tls: RunningPlatform;
  let proxied: RunningPlatform;
  let runs: {
    paths: SignoffChild;
    tls: SignoffChild;
    proxy: SignoffChild;
    missingCa: ChildRun;
    wrongCa: ChildRun;
  };

  before(async () => {
    makeCa(base, 'ca');
    makeCa(base, 'other-ca');
    makeServerCert(base, 'ca');
    proxy = await startProxy();
    const tlsEnv = {
      PLATFORM_TLS_CERT: file('server.pem'),
      PLATFORM_TLS_KEY: file('server.key'),
      PLATFORM_TLS_CA: file('ca.pem'),
    };
    [oneOrigin, tls, proxied] = await Promise.all([
      startPlatform({
        PLATFORM_ONE_ORIGIN: '1',
        PLATFORM_AUTH_PREFIX: '/identity',
        PLATFORM_API_PREFIX: '/backend',
        PLATFORM_FRONTEND_PREFIX: '/app',
      }),
      startPlatform(tlsEnv),
      startPlatform(),
    ]);
    platforms.push(oneOrigin, tls, proxied);

    // One origin: the socket URL is left to the harness to derive from E2E_API_URL's path.
    // No trace in these runs: they are about paths, TLS and proxies; the default trace (kept on a
    // failure) costs each passing run some 2 CPU-s of recording it then drops (BENCHMARKS.md).
    const { E2E_WS_URL: _derived, ...pathsEnv } = harnessEnv(oneOrigin.urls, {
      E2E_FRONTEND_URL: `${oneOrigin.urls.frontend}/`,
      E2E_TRACE: 'off',
    });
    const tlsHarness = harnessEnv(tls.urls, { E2E_CA_CERT: file('ca.pem'), E2E_TRACE: 'off' });
    // NO_PROXY names a loopback host the run never uses: Playwright then leaves Chromium's implicit
    // loopback bypass in place, so only the harness's own `<-loopback>` sends 127.0.0.1 through.
    const proxyHarness = harnessEnv(proxied.urls, {
      HTTP_PROXY: proxy.url,
      HTTPS_PROXY: proxy.url,
      NO_PROXY: 'localhost',
      E2E_TRACE: 'off',
    });
    const [paths, secure, viaProxy, missingCa, wrongCa] = await Promise.all([
      runSignoff(pathsEnv, file('paths')),
      runSignoff(tlsHarness, file('tls')),
      runSignoff(proxyHarness, file('proxy')),
      runHarness(['--grep', '@preflight'], { ...tlsHarness, E2E_CA_CERT: file('no-such-ca.pem') }),
      runHarness(['--grep', '@preflight'], { ...tlsHarness, E2E_CA_CERT: file('other-ca.pem') }),
    ]);
    runs = { paths, tls: secure, proxy: viaProxy, missingCa, wrongCa };
  });

  after(async () => {
    await Promise.all(platforms.map((platform) => platform.stop()));
    await proxy?.stop();
  });

  it('one origin, services under /identity and /backend, the frontend under /app/', () => {
    assert.match(oneOrigin.urls.auth, /^http:\/\/127\.0\.0\.1:\d+\/identity$/);
    assert.equal(new URL(oneOrigin.urls.auth).origin, new URL(oneOrigin.urls.frontend).origin);
    assertApproved(runs.paths);
    // The socket URL the harness derived, and the JWKS it fetched, both kept their paths.
    const said = saidBy(runs.paths);
    assert.match(said, /E2E_WS_URL=ws:\/\/127\.0\.0\.1:\d+\/backend\/ws/);
    assert.match(
      said,
      /tokens verified against http:\/\/127\.0\.0\.1:\d+\/identity\/\.well-known\/jwks\.json/,
    );
  });

  it('https and wss with a private CA (E2E_CA_CERT)', () => {
    assert.match(tls.urls.auth, /^https:/);
    assert.match(tls.urls.ws, /^wss:/);
    assertApproved(runs.tls);
  });

  it('every request through HTTP(S)_PROXY: the harness and the browser, loopback included', () => {
    assertApproved(runs.proxy);
    const { forwarded } = proxy;
    const frontend = new URL(proxied.urls.frontend);
    const api = new URL(proxied.urls.api);
    // The browser fetches pages through the proxy in absolute form; Chromium would have gone
    // direct to 127.0.0.1 without `<-loopback>` in its bypass list.
    const browserPages = forwarded.filter(
      (entry) => entry.kind === 'request' && entry.target.startsWith(`${frontend.origin}/chat`),
    );
    assert.ok(
      browserPages.length > 0,
      `no page request forwarded: ${JSON.stringify(forwarded.slice(0, 20))}`,
    );
    assert.ok(browserPages.every((entry) => /Chrome/.test(entry.userAgent)));
    // The harness's requests (undici tunnels even plain http) and the browser's sockets: CONNECT.
    const tunnels = new Set(
      forwarded.filter((entry) => entry.kind === 'connect').map((entry) => entry.target),
    );
    for (const service of [proxied.urls.auth, proxied.urls.api, proxied.urls.frontend]) {
      assert.ok(tunnels.has(new URL(service).host), `no tunnel to ${service}: ${[...tunnels].join(', ')}`);
    }
    assert.ok(tunnels.has(api.host));
  });

  it('an unreadable E2E_CA_CERT is CONFIG_INVALID, before any browser starts', () => {
    const run = runs.missingCa;
    assert.equal(firstCause(run), 'CONFIG_INVALID', saidBy(run));
    assert.match(saidBy(run), /E2E_CA_CERT: .*no-such-ca\.pem: cannot be read \(ENOENT\)/);
    assert.notEqual(run.exitCode, 0);
  });

  it('a chain that does not verify against E2E_CA_CERT is SERVICE_UNREACHABLE naming the TLS error and host', () => {
    const run = runs.wrongCa;
    assert.equal(firstCause(run), 'SERVICE_UNREACHABLE', saidBy(run));
    const host = new URL(tls.urls.auth).host.replace(/\./g, '\\.');
    assert.match(saidBy(run), new RegExp(`https://${host}/health\\): TLS certificate chain .*\\[[A-Z_]+: `));
    assert.notEqual(run.exitCode, 0);
  });
});
