/**
 * Which cause a page-side failure is reported under when the page also raised uncaught errors.
 * The one place for that rule: an error the page raised explains what the page then failed to
 * show (so PAGE_ERROR is the cause, the missing element its symptom); it explains nothing judged
 * from the wire or a leak, which stay the cause even on a page that threw.
 */
import type { CauseCode } from './causes.ts';

export interface PageErrorSeen {
  at: number;
  message: string;
  pageUrl: string;
}

export interface Failure {
  code: CauseCode;
  summary: string;
}

/** Failures a page error raised before them explains. */
const PAGE_SYMPTOMS: readonly CauseCode[] = ['UI_NOT_RENDERED'];

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/** The PAGE_ERROR failure for `errors` raised `when`, or undefined when there were none. */
export function pageErrorFailure(errors: readonly PageErrorSeen[], when: string): Failure | undefined {
  const first = errors[0];
  if (!first) return undefined;
  return {
    code: 'PAGE_ERROR',
    summary: `the page raised ${errors.length} uncaught error(s) ${when}; first: "${first.message}" on ${pathOf(first.pageUrl)}`,
  };
}

/** The failure to report: `symptom` (if any) or the page's errors, whichever is the cause. */
export function failureWithPageErrors(
  errors: readonly PageErrorSeen[],
  when: string,
  symptom?: Failure,
): Failure | undefined {
  if (symptom && !PAGE_SYMPTOMS.includes(symptom.code)) return symptom;
  return pageErrorFailure(errors, when) ?? symptom;
}
