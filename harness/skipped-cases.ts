/**
 * What the sign-off says about the cases of a criterion: which were skipped and why, and where
 * a case's credential came from, read from the annotations each test left in diagnosis.json.
 * A skipped case is said wherever the criterion is, never folded into "every".
 */

export interface AnnotatedTest {
  title: string;
  annotations?: { type: string; description?: string }[];
}

export interface SkippedCase {
  /** The case's name (its `credential` annotation), else the test's title. */
  case: string;
  reason: string;
}

const noteOf = (test: AnnotatedTest, type: string) =>
  test.annotations?.find((note) => note.type === type)?.description;

export const caseOf = (test: AnnotatedTest): string => noteOf(test, 'credential') ?? test.title;

export const skippedCaseOf = (test: AnnotatedTest): SkippedCase => ({
  case: caseOf(test),
  reason: noteOf(test, 'skip') ?? 'skipped without a reason',
});

/** "expired token not run: the deployment ignores ..." for each skipped case. */
export const saySkipped = (skipped: SkippedCase[]): string =>
  skipped.map((item) => `${item.case} not run: ${item.reason}`).join('; ');

/** "expired token from test-auth ..." for each case that says where its credential came from. */
export function saySources(tests: AnnotatedTest[]): string {
  return tests
    .flatMap((test) => {
      const source = noteOf(test, 'credential-source');
      return source ? [`${caseOf(test)} from ${source}`] : [];
    })
    .join('; ');
}

/** A case of bad credential (its test names one); the valid-token control is not one. */
export const isCredentialCase = (test: AnnotatedTest): boolean => noteOf(test, 'credential') !== undefined;

/** The auth criterion's evidence: how many kinds of bad credential were refused, of how many. */
export function sayRefused(passedTests: AnnotatedTest[], skipped: SkippedCase[]): string {
  const refused = passedTests.filter(isCredentialCase);
  const total = refused.length + skipped.length;
  const sources = saySources(refused);
  return [
    `${refused.length} of ${total} kinds refused`,
    ...(skipped.length > 0 ? [saySkipped(skipped)] : []),
    `the page sent the user back to sign in${sources ? ` (${sources})` : ''}`,
  ].join('; ');
}
