/** Small, dependency-free statistics for the bench: every figure it prints comes from these. */

export interface Summary {
  n: number;
  min: number;
  median: number;
  p95: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile (p in 0..100) of the values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** Median as the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function summarise(values: readonly number[]): Summary {
  const n = values.length;
  return {
    n,
    min: n === 0 ? Number.NaN : Math.min(...values),
    median: median(values),
    p95: percentile(values, 95),
    max: n === 0 ? Number.NaN : Math.max(...values),
    mean: n === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / n,
  };
}

/** Round for display and for results.json: ms to whole numbers, ratios to two decimals. */
export const round = (value: number, digits = 0): number =>
  Number.isFinite(value) ? Number(value.toFixed(digits)) : value;

export function roundSummary(summary: Summary, digits = 0): Summary {
  return {
    n: summary.n,
    min: round(summary.min, digits),
    median: round(summary.median, digits),
    p95: round(summary.p95, digits),
    max: round(summary.max, digits),
    mean: round(summary.mean, digits),
  };
}
