/**
 * The verdict where the team is: when E2E_NOTIFY_WEBHOOK (a secret URL) is set, the sign-off
 * posts its verdict there as Slack-compatible JSON (`text` for notifications, `blocks` for the
 * message). A failed post is retried once, each try with a timeout, and reported; it never
 * changes the verdict or its exit code. The URL itself is never printed.
 */

export interface VerdictNotice {
  verdict: 'APPROVED' | 'REJECTED';
  /** The failing criteria, first cause first, each with its codes. */
  failing: { title: string; codes: string[] }[];
  /** The first cause, in one line, when rejected. */
  cause?: string;
  env: string;
  commit?: string;
  /** Warnings that do not decide the verdict (latency drift). */
  warnings: string[];
  reportUrl?: string;
}

export interface NotifySettings {
  webhook?: string;
  reportUrl?: string;
  timeoutMs: number;
}

export const NOTIFY_TIMEOUT_MS = 10_000;

/**
 * E2E_NOTIFY_WEBHOOK, E2E_REPORT_URL and E2E_NOTIFY_TIMEOUT_MS (each try's, default 10 s),
 * checked; a problem never quotes the webhook.
 */
export function notifySettings(env: NodeJS.ProcessEnv = process.env): {
  settings: NotifySettings;
  problems: string[];
} {
  const problems: string[] = [];
  const url = (name: string, secret: boolean): string | undefined => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    const shown = secret ? `(set, ${raw.length} chars)` : `"${raw}"`;
    try {
      const parsed = new URL(raw);
      if (parsed.protocol === 'https:' || parsed.protocol === 'http:') return raw;
      problems.push(
        `${name}: ${shown} is not an http(s) URL; want e.g. https://hooks.slack.com/services/...`,
      );
    } catch {
      problems.push(`${name}: ${shown} is not a URL; want e.g. https://hooks.slack.com/services/...`);
    }
    return undefined;
  };
  const webhook = url('E2E_NOTIFY_WEBHOOK', true);
  const reportUrl = url('E2E_REPORT_URL', false);
  const rawTimeout = env.E2E_NOTIFY_TIMEOUT_MS?.trim();
  let timeoutMs = NOTIFY_TIMEOUT_MS;
  if (rawTimeout && /^\d+$/.test(rawTimeout) && Number(rawTimeout) >= 1) timeoutMs = Number(rawTimeout);
  else if (rawTimeout)
    problems.push(`E2E_NOTIFY_TIMEOUT_MS: "${rawTimeout}" is not a whole number of ms ≥ 1; want e.g. 10000`);
  return {
    settings: {
      ...(webhook ? { webhook } : {}),
      ...(reportUrl ? { reportUrl } : {}),
      timeoutMs,
    },
    problems,
  };
}

/** Slack's mrkdwn: &, < and > are its control characters. */
const mrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The message: `text` (what a notification shows) and `blocks` (what the channel shows). */
export function webhookBody(notice: VerdictNotice): { text: string; blocks: unknown[] } {
  const where = `${notice.env}${notice.commit ? ` at ${notice.commit}` : ''}`;
  const failing = notice.failing.map(
    (item) => `${item.title}${item.codes.length ? ` [${item.codes.join(', ')}]` : ''}`,
  );
  const text = [
    `Golden path sign-off ${notice.verdict}: ${where}`,
    ...(failing.length ? [`failing: ${failing.join('; ')}`] : []),
    ...(notice.reportUrl ? [`report: ${notice.reportUrl}`] : []),
  ].join('\n');
  const blocks: unknown[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: `${notice.verdict === 'APPROVED' ? '✅' : '❌'} Sign-off ${notice.verdict}`,
      },
    },
  ];
  if (notice.cause) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Cause:* ${mrkdwn(notice.cause)}` } });
  }
  if (failing.length > 0) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Failing criteria*\n${notice.failing
          .map((item) => `• ${mrkdwn(item.title)}${item.codes.map((code) => ` \`${code}\``).join('')}`)
          .join('\n')}`,
      },
    });
  }
  if (notice.warnings.length > 0) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Warnings*\n${notice.warnings.map((line) => `• ${mrkdwn(line)}`).join('\n')}`,
      },
    });
  }
  const context = [`*env* ${mrkdwn(notice.env)}`, `*commit* ${mrkdwn(notice.commit ?? 'unknown')}`];
  if (notice.reportUrl) context.push(`<${notice.reportUrl}|the report>`);
  blocks.push({ type: 'context', elements: context.map((item) => ({ type: 'mrkdwn', text: item })) });
  return { text, blocks };
}

export type PostOutcome =
  | { ok: true; attempts: number; status: number }
  | { ok: false; attempts: number; problem: string };

/**
 * POST `body` as JSON to `url`: up to two tries, each with `timeoutMs`. The outcome never holds
 * the URL (it is a secret: whoever has it can post to the channel).
 */
export async function postWebhook(
  url: string,
  body: unknown,
  options: { timeoutMs?: number; attempts?: number } = {},
): Promise<PostOutcome> {
  const attempts = options.attempts ?? 2;
  const timeoutMs = options.timeoutMs ?? NOTIFY_TIMEOUT_MS;
  const hide = (text: string) => text.split(url).join('[webhook]');
  let problem = 'not tried';
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      await response.arrayBuffer();
      if (response.ok) return { ok: true, attempts: attempt, status: response.status };
      problem = `HTTP ${response.status}`;
    } catch (error) {
      const err = error as Error & { cause?: { code?: string; message?: string } };
      problem =
        err.name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : hide(err.cause?.code ?? err.cause?.message ?? err.message);
    }
  }
  return { ok: false, attempts, problem };
}
