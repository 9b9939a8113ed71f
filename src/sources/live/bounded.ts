// Runs async work over a list with at most `limit` tasks in flight.

/** Calls `worker` for each item, at most `limit` at a time; rejects with the first error after all started tasks settle. */
export async function runBounded<T>(items: readonly T[], limit: number, worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let firstError: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (next < items.length && !firstError) {
      const item = items[next++]!;
      try {
        await worker(item);
      } catch (error) {
        firstError ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (firstError) throw firstError.error;
}
