/** The verdict as the webhook message carries it (harness/notify-webhook.ts renders the body). */
import { blockValue, envOf } from '../environment.ts';
import type { VerdictNotice } from '../notify-webhook.ts';
import type { SignoffVerdict } from './verdict.ts';

export function noticeOf(verdict: SignoffVerdict, reportUrl?: string): VerdictNotice {
  const commit = blockValue(verdict.context, 'commit');
  const cause = verdict.cause
    ? `${verdict.cause.code ? `[${verdict.cause.code}] ` : ''}${verdict.cause.summary}`
    : undefined;
  return {
    verdict: verdict.verdict,
    // Failed first, then those without evidence: both keep the verdict from approving.
    failing: [
      ...verdict.criteria.filter((criterion) => criterion.status === 'failed'),
      ...verdict.criteria.filter((criterion) => criterion.status === 'unproven'),
    ].map((criterion) => ({
      title: criterion.status === 'failed' ? criterion.title : `${criterion.title} (no evidence)`,
      codes: criterion.codes,
    })),
    ...(cause ? { cause } : {}),
    env: envOf(verdict.context),
    ...(commit ? { commit } : {}),
    warnings: verdict.warnings,
    ...(reportUrl ? { reportUrl } : {}),
  };
}
