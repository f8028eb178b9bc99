/**
 * undici's `request`, loaded on first use. Loading undici takes about 160 ms, and a worker never
 * needs it while the tokens global setup cached stay valid: every worker would pay that at
 * start-up for nothing (BENCHMARKS.md, cold start).
 */
import type { Dispatcher } from 'undici';

type Undici = typeof import('undici');
export type RequestOptions = NonNullable<Parameters<Undici['request']>[1]>;

let undici: Promise<Undici> | undefined;

export async function request(
  url: string,
  options: RequestOptions,
): Promise<Dispatcher.ResponseData<unknown>> {
  undici ??= import('undici');
  return (await undici).request(url, options);
}
