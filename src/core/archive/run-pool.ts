import { throwIfAborted } from '../errors.js';

/**
 * Runs `worker` over `items` with at most `limit` calls in flight, in item order, checking the
 * signal before each start. The first failure stops new starts and is rethrown once the calls
 * already running have settled (so no work outlives the returned promise).
 */
export async function runPool<T>(
  items: readonly T[],
  limit: number,
  worker: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        throwIfAborted(signal);
        await worker(items[i] as T, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const lanes: Promise<void>[] = [];
  for (let i = 0; i < Math.max(1, Math.min(limit, items.length)); i++) lanes.push(lane());
  await Promise.all(lanes);
  if (failure) throw failure.error;
}
