import type { LambdafitConfig, Target } from '../config/config-schema.js';
import type { PlanAlternative } from '../plan/fit-plan.js';
import { formatMs } from './fit-figures.js';

/** Budgets the chosen state must meet (from `lambdafit.json` `budgets`). */
export type FitBudgets = NonNullable<LambdafitConfig['budgets']>;

/** The planner's decision. */
export interface AlternativeChoice {
  /** The chosen alternative's id, or null when none is eligible. */
  chosen: string | null;
  /** The alternatives with their `rejected` reasons filled in. */
  alternatives: PlanAlternative[];
  /** Why this one (or why none). */
  explanation: string[];
}

const MiB = 1024 * 1024;
/** Cold starts closer than this (ms) to the fastest one are treated as equal. */
export const NOISE_MS = 100;
/** …or closer than this fraction of the fastest one. */
export const NOISE_FRACTION = 0.25;

/**
 * Picks, among measured states, the one that verified, fits the target and meets the budgets,
 * with the smallest cold start (Init Duration), cold starts within the noise margin counting as
 * equal and the smaller zip winning among them. Every other state
 * gets its reasons for rejection, so the table shows the trade-off. Pure.
 */
export function chooseAlternative(alternatives: readonly PlanAlternative[], target: Target, budgets: FitBudgets = {}): AlternativeChoice {
  const judged = alternatives.map((a) => ({ ...a, rejected: rejectionsOf(a, target, budgets) }));
  const eligible = judged.filter((a) => a.rejected.length === 0);
  const init = (a: PlanAlternative) => a.measured.initDurationMs ?? Number.POSITIVE_INFINITY;
  eligible.sort((a, b) => init(a) - init(b) || a.sizes.zippedBytes - b.sizes.zippedBytes);
  // One cold start per state is noisy: states within the noise margin of the fastest count as
  // equally fast, and the smallest package among them wins (size is what lasts on Lambda).
  const fastest = eligible[0] ? init(eligible[0]) : Number.POSITIVE_INFINITY;
  const margin = Math.max(NOISE_MS, fastest * NOISE_FRACTION);
  const best = eligible.filter((a) => init(a) <= fastest + margin).sort((a, b) => a.sizes.zippedBytes - b.sizes.zippedBytes)[0];
  const explanation: string[] = [];
  if (best) {
    explanation.push(
      `Chose "${best.label}": it verified against the baseline outputs, fits ${target} (${size(best.sizes.zippedBytes)} zipped, ${size(best.sizes.unzippedBytes)} unzipped) and is the smallest of the eligible states whose cold start is within ${Math.round(margin)} ms of the fastest (init ${formatMs(best.measured.initDurationMs)}; ${eligible.length} eligible).`,
    );
  } else {
    const verified = judged.filter((a) => a.measured.passed);
    const smallest = [...verified].sort((a, b) => a.sizes.zippedBytes - b.sizes.zippedBytes)[0];
    explanation.push(`No verified state fits ${target}.`);
    if (smallest) {
      explanation.push(`The smallest verified state, "${smallest.label}", is ${size(smallest.sizes.zippedBytes)} zipped and ${size(smallest.sizes.unzippedBytes)} unzipped: ${smallest.rejected.join('; ')}.`);
      explanation.push(suggestPlacement(smallest, target, judged));
    }
  }
  return { chosen: best?.id ?? null, alternatives: judged, explanation };
}

function rejectionsOf(a: PlanAlternative, target: Target, budgets: FitBudgets): string[] {
  // Reasons the caller already knew (e.g. which limits a state misses, with numbers) come first.
  const out: string[] = [...a.rejected];
  if (!a.measured.passed) out.push(`failed verification (${a.measured.error ?? 'unknown error'})`);
  if (!a.sizes.fits && !out.some((r) => r.startsWith('does not fit'))) out.push(`does not fit ${target}`);
  const m = a.measured;
  if (budgets.coldStartMs !== undefined && m.initDurationMs !== null && m.initDurationMs > budgets.coldStartMs) out.push(`cold start ${formatMs(m.initDurationMs)} over the ${budgets.coldStartMs} ms budget`);
  if (budgets.warmP50Ms !== undefined && m.warmDurationMs !== null && m.warmDurationMs > budgets.warmP50Ms) out.push(`warm latency ${formatMs(m.warmDurationMs)} over the ${budgets.warmP50Ms} ms budget`);
  if (budgets.maxMemoryMB !== undefined && m.maxMemoryUsedMB > budgets.maxMemoryMB) out.push(`memory ${m.maxMemoryUsedMB} MB over the ${budgets.maxMemoryMB} MB budget`);
  if (budgets.zippedBytes !== undefined && a.sizes.zippedBytes > budgets.zippedBytes) out.push(`zip ${a.sizes.zippedBytes} B over the ${budgets.zippedBytes} B budget`);
  if (budgets.unzippedBytes !== undefined && a.sizes.unzippedBytes > budgets.unzippedBytes) out.push(`unzipped ${a.sizes.unzippedBytes} B over the ${budgets.unzippedBytes} B budget`);
  return out;
}

/** The placement worth trying next, from the sizes and the placements already measured. */
function suggestPlacement(a: PlanAlternative, target: Target, all: readonly PlanAlternative[]): string {
  const zipS3Unzipped = 262_144_000;
  const image = all.find((x) => x.includes.includes('placement: image') && x.measured.passed);
  if (image) {
    return `Best placement instead: ship it as a container image (--target image, 10 GB): "${image.label}" verified with a cold start of ${formatMs(image.measured.initDurationMs)}.`;
  }
  if (target === 'zip-direct' && a.sizes.unzippedBytes <= zipS3Unzipped) {
    return 'Best placement instead: deploy the same zip through S3 (--target zip-s3), whose 250 MB unzipped limit it meets, or fetch the model from object storage at init so the zip only holds code.';
  }
  if (a.sizes.unzippedBytes > zipS3Unzipped) {
    return 'Best placement instead: fetch the model from object storage into memory at init, or ship a container image (--target image, 10 GB).';
  }
  return 'Best placement instead: fetch the model from object storage into memory at init.';
}

function size(bytes: number): string {
  return bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

