import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  notifySettings,
  postWebhook,
  type VerdictNotice,
  webhookBody,
} from '../../harness/notify-webhook.ts';
import { closedPort, serve } from './helpers/http.ts';

const rejected: VerdictNotice = {
  verdict: 'REJECTED',
  failing: [{ title: 'Five events', codes: ['EVENT_MISSING'] }],
  cause: 'a signed-in user chats: missing tool_completed in run r-1',
  env: 'staging',
  commit: 'abc123',
  warnings: [],
  reportUrl: 'https://ci.example.test/run/7',
};

describe('the verdict webhook', () => {
  it('posts Slack-compatible JSON: the verdict, the failing criteria and codes, env, commit, report link', async () => {
    const received: { method?: string; type?: string; body: string }[] = [];
    const hook = await serve((request, response, body) => {
      received.push({ method: request.method, type: request.headers['content-type'], body });
      response.writeHead(200).end('ok');
    });
    try {
      const outcome = await postWebhook(`${hook.url}/services/T0/B0/secret`, webhookBody(rejected));
      assert.deepEqual(outcome, { ok: true, attempts: 1, status: 200 });
    } finally {
      await hook.close();
    }
    assert.equal(received.length, 1);
    assert.equal(received[0]?.method, 'POST');
    assert.equal(received[0]?.type, 'application/json');
    const body = JSON.parse(received[0]?.body ?? '{}') as { text: string; blocks: { type: string }[] };
    assert.match(body.text, /^Golden path sign-off REJECTED: staging at abc123/);
    assert.match(body.text, /failing: Five events \[EVENT_MISSING\]/);
    assert.match(body.text, /report: https:\/\/ci\.example\.test\/run\/7/);
    const all = JSON.stringify(body.blocks);
    assert.equal(body.blocks[0]?.type, 'header');
    assert.match(all, /Sign-off REJECTED/);
    assert.match(all, /Five events `EVENT_MISSING`/);
    assert.match(all, /<https:\/\/ci\.example\.test\/run\/7\|the report>/);
  });

  it('retries once, then reports the failure without the URL', async () => {
    let calls = 0;
    const hook = await serve((_request, response) => {
      calls += 1;
      response.writeHead(503).end();
    });
    try {
      const outcome = await postWebhook(`${hook.url}/hook`, webhookBody(rejected));
      assert.deepEqual(outcome, { ok: false, attempts: 2, problem: 'HTTP 503' });
      assert.equal(calls, 2);
    } finally {
      await hook.close();
    }
    const url = `http://127.0.0.1:${await closedPort()}/services/secret-path`;
    const down = await postWebhook(url, {});
    assert.equal(down.ok, false);
    assert.ok(!JSON.stringify(down).includes('secret-path'), JSON.stringify(down));
  });

  it('gives up on a silent server after its timeout, each try', async () => {
    const hook = await serve(() => undefined);
    try {
      const outcome = await postWebhook(`${hook.url}/hook`, {}, { timeoutMs: 50 });
      assert.deepEqual(outcome, { ok: false, attempts: 2, problem: 'no answer within 50 ms' });
    } finally {
      await hook.close();
    }
  });

  it('checks the variables without quoting the webhook', () => {
    assert.deepEqual(notifySettings({}).problems, []);
    const bad = notifySettings({ E2E_NOTIFY_WEBHOOK: 'hooks.example/secret-token', E2E_REPORT_URL: 'nope' });
    assert.equal(bad.problems.length, 2);
    assert.ok(!bad.problems.join('\n').includes('secret-token'));
    assert.match(bad.problems[0] ?? '', /E2E_NOTIFY_WEBHOOK: \(set, 26 chars\) is not a URL/);
    assert.equal(
      notifySettings({ E2E_NOTIFY_WEBHOOK: 'https://h.example/x' }).settings.webhook,
      'https://h.example/x',
    );
    assert.equal(notifySettings({ E2E_NOTIFY_TIMEOUT_MS: '250' }).settings.timeoutMs, 250);
    assert.match(
      notifySettings({ E2E_NOTIFY_TIMEOUT_MS: 'soon' }).problems[0] ?? '',
      /E2E_NOTIFY_TIMEOUT_MS: "soon" is not a whole number of ms/,
    );
  });

  it('says APPROVED with no failing criteria', () => {
    const body = webhookBody({ ...rejected, verdict: 'APPROVED', failing: [], warnings: ['drift: x'] });
    assert.doesNotMatch(body.text, /failing/);
    assert.match(JSON.stringify(body.blocks), /Warnings/);
  });
});
