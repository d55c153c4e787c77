import { throwIfAborted } from '../errors.js';
import type { KeepStep, PruneStep, StateMeasurement } from '../plan/fit-plan.js';
import type { Candidate } from '../rules/candidate.js';
import { bisectRemoval } from './bisect-removal.js';
import type { ProposedPruneStep } from './order-prune-steps.js';

/** Verifies the bundle with these files removed (on top of nothing else). */
export type VerifyRemoval = (removed: ReadonlySet<string>) => Promise<StateMeasurement>;

/** What happened to one proposed step, for progress. */
export interface PruneStepOutcome {
  step: ProposedPruneStep;
  /** Files the step removed after verification. */
  removedFiles: number;
  removedBytes: number;
  /** Files learned to be needed. */
  keptFiles: string[];
  /** Verifications the step cost. */
  verifications: number;
  /** First verification's result (the whole step). */
  firstAttempt: StateMeasurement;
}

/** Options of {@link runPruneLoop}. */
export interface PruneLoopOptions {
  signal?: AbortSignal;
  /**
   * Files seen opened in a traced run: a breaking rule's bisection keeps them untested and
   * verifies removing the rest, which usually settles the rule in one verification.
   */
  likelyNeeded?: ReadonlySet<string>;
  /** Called after each proposed step. */
  onStep?: (outcome: PruneStepOutcome) => void;
  /** Called after each verification inside a bisection. */
  onTest?: (label: string, removedCount: number, passed: boolean) => void;
}

/** The verified pruning. */
export interface PruneLoopResult {
  /** Prune and keep steps in the order they were decided. */
  steps: (PruneStep | KeepStep)[];
  /** Every file removed. */
  removed: Set<string>;
  /** Verifications run. */
  verifications: number;
  /** Measurement of the final state (the last verification that passed), or null when none did. */
  measurement: StateMeasurement | null;
}

function pruneStep(c: Candidate, files: ReadonlySet<string>): PruneStep {
  const kept = c.files.filter((f) => files.has(f.path)).map((f) => ({ path: f.path, bytes: f.bytes }));
  return { kind: 'prune', ruleId: c.ruleId, ruleSet: c.ruleSet, risk: c.risk, description: c.description, files: kept, bytes: kept.reduce((n, f) => n + f.bytes, 0) };
}

/**
 * The verified pruning loop: each proposed step is applied on top of everything accepted so far
 * and verified. A step that passes is kept whole. A step that fails is bisected, first by rule,
 * then each breaking rule by file (`bisectRemoval`), so the files the function needs are kept and
 * recorded as learned keep-rules while the rest of the step still goes. Removals only grow after
 * a passing verification, so the last passing measurement is the measurement of the result.
 */
export async function runPruneLoop(proposed: readonly ProposedPruneStep[], verify: VerifyRemoval, options: PruneLoopOptions = {}): Promise<PruneLoopResult> {
  const removed = new Set<string>();
  const steps: (PruneStep | KeepStep)[] = [];
  let verifications = 0;
  let measurement: StateMeasurement | null = null;
  const check = async (extra: Iterable<string>): Promise<StateMeasurement> => {
    throwIfAborted(options.signal);
    const m = await verify(new Set([...removed, ...extra]));
    verifications++;
    if (m.passed) measurement = m;
    return m;
  };

  for (const step of proposed) {
    const before = verifications;
    const all = step.candidates.flatMap((c) => c.files.map((f) => f.path));
    const first = await check(all);
    let removedFiles = 0;
    let removedBytes = 0;
    const keptFiles: string[] = [];
    const accept = (c: Candidate, files: ReadonlySet<string>) => {
      const s = pruneStep(c, files);
      if (s.files.length === 0) return;
      steps.push(s);
      for (const f of s.files) removed.add(f.path);
      removedFiles += s.files.length;
      removedBytes += s.bytes;
    };
    if (first.passed) {
      for (const c of step.candidates) accept(c, new Set(c.files.map((f) => f.path)));
    } else {
      const byId = new Map(step.candidates.map((c) => [`${c.ruleSet}/${c.ruleId}`, c]));
      const filesOf = (ids: readonly string[]) => ids.flatMap((id) => byId.get(id)!.files.map((f) => f.path));
      let breaking = [...byId.keys()];
      if (byId.size > 1) {
        const byRule = await bisectRemoval([...byId.keys()], async (ids) => (await check(filesOf(ids))).passed, {
          knownToFail: true,
          signal: options.signal,
          onTest: (n, ok) => options.onTest?.(`${step.label}: by rule`, n, ok),
        });
        for (const id of byRule.removable) accept(byId.get(id)!, new Set(filesOf([id])));
        breaking = byRule.keep;
      }
      for (const id of breaking) {
        const c = byId.get(id)!;
        const paths = c.files.map((f) => f.path);
        const startTests = verifications;
        const byFile = await bisectRemoval(paths, async (files) => (await check(files)).passed, {
          knownToFail: true,
          ...(options.likelyNeeded ? { likelyNeeded: options.likelyNeeded, trustHint: true } : {}),
          signal: options.signal,
          onTest: (n, ok) => options.onTest?.(`${step.label}: ${c.ruleId} by file`, n, ok),
        });
        accept(c, new Set(byFile.removable));
        keptFiles.push(...byFile.keep);
        steps.push({
          kind: 'keep',
          ruleId: c.ruleId,
          ruleSet: c.ruleSet,
          files: byFile.keep,
          evidence: { tests: verifications - startTests + 1, failure: first.error ?? 'verification failed', mismatches: first.mismatches.slice(0, 5) },
        });
      }
    }
    options.onStep?.({ step, removedFiles, removedBytes, keptFiles, verifications: verifications - before, firstAttempt: first });
  }
  return { steps, removed, verifications, measurement };
}
