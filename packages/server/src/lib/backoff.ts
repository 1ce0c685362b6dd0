/**
 * Waits between retries: the `schedule`'s n-th entry after the n-th failure (its last entry
 * repeating), jittered by ±20% so that retries of many failures spread out instead of arriving
 * together. Used for webhook attempts and customer messages.
 */
export function jitteredBackoffMs(schedule: readonly number[], failures: number, random: () => number = Math.random): number {
  const base = schedule[Math.min(Math.max(failures, 1), schedule.length) - 1]!;
  return Math.round(base * (0.8 + 0.4 * random()));
}
