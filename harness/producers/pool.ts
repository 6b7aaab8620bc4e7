/**
 * Runs `worker` over `items` with at most `concurrency` in flight. Stops taking new items once `signal`
 * aborts; items already started finish (or fail) on their own, and the pool waits for them, so nothing
 * in flight is left writing after the pool returns.
 */
export async function runPool<T>(items: readonly T[], concurrency: number, signal: AbortSignal, worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (!signal.aborted && next < items.length) {
      const item = items[next++];
      await worker(item);
    }
  });
  await Promise.all(lanes);
}
