/**
 * A GitHub Actions job played through offline, for the workflow self-test: each step's `if`
 * evaluated as GitHub does (status functions, `steps.<id>.outcome`, `!`, `&&`, `||`, `==`,
 * `!=`, case-insensitive strings), `continue-on-error` applied, and the job's conclusion drawn.
 * Steps that are plain shell (no npm, npx or node) really run, in bash, in a scratch folder;
 * what any other step does is the scenario's to say.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface WorkflowStep {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  'continue-on-error'?: boolean;
}

type Outcome = 'success' | 'failure' | 'skipped';
type Value = string | boolean;

interface Context {
  failed: boolean;
  steps: Record<string, { outcome: Outcome; conclusion: Outcome }>;
}

/** Evaluate a step condition (`${{ }}` optional) against the job so far. */
export function evaluate(condition: string, context: Context): boolean {
  const source = condition.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  const tokens = source.match(/'[^']*'|&&|\|\||==|!=|[!()]|[A-Za-z_][\w.-]*/g) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const take = (expected?: string) => {
    const token = tokens[at++];
    if (token === undefined || (expected && token !== expected))
      throw new Error(`condition "${condition}": expected ${expected ?? 'more'} at token ${at}`);
    return token;
  };
  const functions: Record<string, () => boolean> = {
    always: () => true,
    success: () => !context.failed,
    failure: () => context.failed,
    cancelled: () => false,
  };
  const primary = (): Value => {
    const token = take();
    if (token === '(') {
      const value = or();
      take(')');
      return value;
    }
    if (token.startsWith("'")) return token.slice(1, -1).toLowerCase();
    if (peek() === '(') {
      take('(');
      take(')');
      const call = functions[token];
      if (!call) throw new Error(`condition "${condition}": unknown function ${token}()`);
      return call();
    }
    const [scope, id, field] = token.split('.');
    if (scope === 'steps' && id && (field === 'outcome' || field === 'conclusion'))
      return context.steps[id]?.[field] ?? '';
    throw new Error(`condition "${condition}": cannot evaluate ${token}`);
  };
  const comparison = (): Value => {
    const left = primary();
    const operator = peek();
    if (operator !== '==' && operator !== '!=') return left;
    take();
    const equal = String(left).toLowerCase() === String(primary()).toLowerCase();
    return operator === '==' ? equal : !equal;
  };
  const unary = (): Value => {
    if (peek() !== '!') return comparison();
    take('!');
    return !truthy(unary());
  };
  const truthy = (value: Value) => value !== '' && value !== false;
  const and = (): Value => {
    let value = unary();
    while (peek() === '&&') {
      take();
      const right = unary();
      value = truthy(value) && truthy(right);
    }
    return value;
  };
  function or(): Value {
    let value = and();
    while (peek() === '||') {
      take();
      const right = and();
      value = truthy(value) || truthy(right);
    }
    return value;
  }
  const value = or();
  if (at !== tokens.length) throw new Error(`condition "${condition}": unexpected ${tokens[at]}`);
  return truthy(value);
}

const isShell = (step: WorkflowStep) => step.run !== undefined && !/\b(npm|npx|node)\b/.test(step.run);

/**
 * Play the job's steps; `outcomeOf` decides each step that is not plain shell (undefined: it
 * succeeds). Returns the job's conclusion and each step's outcome and conclusion, by name.
 */
export function playJob(
  steps: WorkflowStep[],
  outcomeOf: (step: WorkflowStep) => Outcome | undefined,
): { conclusion: 'success' | 'failure'; steps: { name: string; outcome: Outcome; conclusion: Outcome }[] } {
  const scratch = mkdtempSync(path.join(tmpdir(), 'golden-path-workflow-'));
  const context: Context = { failed: false, steps: {} };
  const played = steps.map((step, index) => {
    const name = step.name ?? step.uses ?? `step ${index + 1}`;
    let outcome: Outcome = 'skipped';
    if (evaluate(step.if ?? 'success()', context)) {
      if (isShell(step)) {
        const run = spawnSync('bash', ['-e', '-c', step.run ?? ''], {
          cwd: scratch,
          env: { PATH: process.env.PATH, GITHUB_STEP_SUMMARY: path.join(scratch, 'summary.md') },
          encoding: 'utf8',
        });
        outcome = run.status === 0 ? 'success' : 'failure';
      } else {
        outcome = outcomeOf(step) ?? 'success';
      }
    }
    const conclusion: Outcome = outcome === 'failure' && step['continue-on-error'] ? 'success' : outcome;
    if (conclusion === 'failure') context.failed = true;
    if (step.id) context.steps[step.id] = { outcome, conclusion };
    return { name, outcome, conclusion };
  });
  return { conclusion: context.failed ? 'failure' : 'success', steps: played };
}
