// Summaries the benchmarks report: a percentile and the median of a set of samples.

/** The p-th percentile (nearest rank) of `xs`; NaN when there are none. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

export const median = (xs: number[]): number => percentile(xs, 50);
