import { throwIfAborted } from '../errors.js';

/** Options for {@link bisectRemoval}. */
export interface BisectRemovalOptions {
  /**
   * Files the baseline run was seen to open (trace). Tried first as the keep-set, which usually
   * settles a step in one verification instead of a bisection.
   */
  likelyNeeded?: ReadonlySet<string>;
  /** Cancels between verifications. */
  signal?: AbortSignal;
  /**
   * Keep the files of `likelyNeeded` without testing them: a file the function was seen opening
   * is kept (the safe direction), so a step settles in one verification when the rest passes.
   */
  trustHint?: boolean;
  /**
   * The whole set was already verified to fail (the step that is being bisected): its first
   * verification is skipped and the search starts with the halves.
   */
  knownToFail?: boolean;
  /** Called after each verification, for progress. */
  onTest?: (removedCount: number, passed: boolean, testsSoFar: number) => void;
}

/** What {@link bisectRemoval} found. */
export interface BisectRemovalResult {
  /** Files whose removal (together) keeps the function working. */
  removable: string[];
  /** Files that had to stay: removing any of them (given the rest) broke the function. */
  keep: string[];
  /** Verifications run. */
  tests: number;
}

/**
 * Delta debugging over one pruning step that broke the function: finds a large subset of the
 * step's files that can still go, and the files that must stay. `passes(removed)` verifies the
 * bundle with `removed` (plus everything already accepted earlier) taken out.
 *
 * Removals accumulate: a group that passes is accepted before the next group is tried, so
 * interactions between files are always tested against the state that will ship. A group that
 * fails is split in halves until single files remain; a failing single file is kept. With k
 * needed files among n this costs O(k·log n) verifications, and one when the trace hint is right.
 */
export async function bisectRemoval(
  files: readonly string[],
  passes: (removed: readonly string[]) => Promise<boolean>,
  options: BisectRemovalOptions = {},
): Promise<BisectRemovalResult> {
  const accepted: string[] = [];
  const keep: string[] = [];
  let tests = 0;
  const verify = async (group: readonly string[]) => {
    throwIfAborted(options.signal);
    const ok = await passes([...accepted, ...group]);
    tests++;
    options.onTest?.(accepted.length + group.length, ok, tests);
    return ok;
  };
  const hint = options.likelyNeeded;
  const useHint = hint !== undefined && hint.size > 0;
  // With a trace hint the first group is the unseen files, not the whole (known failing) set.
  let skipFirst = options.knownToFail === true && !useHint;
  const explore = async (group: readonly string[]): Promise<void> => {
    if (group.length === 0) return;
    const known = skipFirst;
    skipFirst = false;
    if (!known && (await verify(group))) {
      accepted.push(...group);
      return;
    }
    if (group.length === 1) {
      keep.push(group[0]!);
      return;
    }
    const mid = Math.ceil(group.length / 2);
    await explore(group.slice(0, mid));
    await explore(group.slice(mid));
  };

  const sorted = [...files].sort();
  if (useHint) {
    const unseen = sorted.filter((f) => !hint.has(f));
    const seen = sorted.filter((f) => hint.has(f));
    // Files never opened are the likely-safe part; files that were opened are explored after,
    // so whatever of them is truly unused can still go.
    await explore(unseen);
    if (options.trustHint) keep.push(...seen);
    else await explore(seen);
  } else {
    await explore(sorted);
  }
  return { removable: accepted.sort(), keep: keep.sort(), tests };
}
