/** Order statistics and the report's tables, shared by every bench section. */

export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

export const median = (values: readonly number[]): number => percentile([...values].sort((a, b) => a - b), 50);

/** `value` to `digits` decimals, or `—` where there is nothing to show. */
export const fixed = (value: number | undefined, digits = 2): string => (value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits));

/** A markdown table, so a run's output pastes straight into the README. */
export function printTable(title: string, headers: readonly string[], rows: readonly (readonly string[])[]): void {
  console.log(`\n${title}`);
  console.log(`| ${headers.join(' | ')} |`);
  console.log(`|${headers.map((_, index) => (index === 0 ? '---' : '---:')).join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

/** Runs `run` `rounds` times after `warm` unmeasured rounds; the durations, sorted, in ms. */
export async function timeRounds(rounds: number, run: (round: number) => Promise<unknown>, warm = 10): Promise<number[]> {
  for (let round = 0; round < warm; round++) await run(-1 - round);
  const millis: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    await run(round);
    millis.push(performance.now() - started);
  }
  return millis.sort((a, b) => a - b);
}
