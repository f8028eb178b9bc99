/**
 * Checks turned into checks that cannot fail, and the tests that must then fail (issue 15: "a
 * test that cannot fail is a defect"; a check no test notices losing is one too).
 *
 * Each mutant makes one function give the answer that never fails: it inserts an early return as
 * the first statement of the body that follows `anchor`. The anchor must occur exactly once in
 * its file (test/unit/mutants.test.ts checks that on every `npm test`, so a renamed function
 * fails there instead of leaving a mutant that mutates nothing). `npm run mutants` applies each
 * to a copy of the working tree and runs its catchers, each of which must pass without the
 * mutant and fail with it.
 */

export interface Catcher {
  /** Test file, relative to the repository. */
  file: string;
  /** node --test-name-pattern: only the tests that should notice. */
  pattern?: string;
}

export interface Mutant {
  name: string;
  /** What the mutant turns the check into, in words. */
  what: string;
  file: string;
  /** Text that opens the function; the early return goes after the first `{` that ends a line from here. */
  anchor: string;
  /** The statement inserted as the body's first. */
  insert: string;
  catchers: Catcher[];
}

const matrix = (pattern: string): Catcher => ({ file: 'test/selftest/fault-matrix.test.ts', pattern });

export const MUTANTS: Mutant[] = [
  {
    name: 'refusal-always-refused',
    what: 'the auth spec calls every attempt refused, whatever the socket did',
    file: 'harness/socket-refusal.ts',
    anchor: 'export function judgeRefusal(',
    insert: "return { refused: true, how: 'refused' };",
    catchers: [{ file: 'test/unit/socket-refusal.test.ts' }, matrix('ws-accepts-garbage-token')],
  },
  {
    name: 'isolation-socket-scan-removed',
    what: "the isolation spec's scan of each socket for the other journey's run, thread and user finds nothing",
    file: 'harness/isolation-verdict.ts',
    anchor: 'export function socketLeak(',
    insert: 'return undefined;',
    catchers: [{ file: 'test/unit/isolation-verdict.test.ts' }, matrix('@isolation leak-in-progress-frame')],
  },
  {
    name: 'isolation-page-scan-removed',
    what: "the isolation spec never sees the other user's answer on the page",
    file: 'harness/isolation-verdict.ts',
    anchor: 'export function pageLeak(',
    insert: 'return undefined;',
    catchers: [{ file: 'test/unit/isolation-verdict.test.ts' }, matrix('@isolation ui-shows-other-answer')],
  },
  {
    name: 'flood-loss-removed',
    what: "the bench's flood counts every sent frame as recorded",
    file: 'bench/sections/flood.ts',
    anchor: 'export function floodLoss(',
    insert: 'return { recorded: sent, missing: 0, duplicates: 0 };',
    catchers: [{ file: 'test/unit/flood-loss.test.ts' }],
  },
  {
    name: 'order-check-removed',
    what: 'a run whose events come out of order is in order',
    file: 'harness/run-verdict.ts',
    anchor: 'export function orderViolation(',
    insert: 'return undefined;',
    catchers: [{ file: 'test/unit/run-verdict.test.ts' }, matrix('tool-completed-before-executing')],
  },
  {
    name: 'missing-events-removed',
    what: 'no event is ever missing from a completed run',
    file: 'harness/run-verdict.ts',
    anchor: 'export function missingEvents(',
    insert: 'return [];',
    catchers: [{ file: 'test/unit/run-verdict.test.ts' }, matrix('@golden-path drop-tool_completed →')],
  },
];
