import type { FileEntry } from '../scan/bundle-index.js';
import type { Candidate, RemovedFile } from './candidate.js';

/** A tree after candidates were applied, virtually. */
export interface AppliedCandidates {
  /** Files that stay, in their original order. */
  kept: FileEntry[];
  /** Files taken out, in their original order, each with the rule that removed it. */
  removed: RemovedFile[];
}

/**
 * Removes the candidates' files from a file list without touching the disk, to answer "does it
 * fit after these rules". Pure. Should two candidates name the same path (they never do when
 * they come from one `matchRules` call), the first candidate gets the credit.
 */
export function applyCandidates(files: readonly FileEntry[], candidates: readonly Candidate[]): AppliedCandidates {
  const decisions = new Map<string, { candidate: Candidate; reason: string }>();
  for (const candidate of candidates) {
    for (const file of candidate.files) if (!decisions.has(file.path)) decisions.set(file.path, { candidate, reason: file.reason });
  }
  const kept: FileEntry[] = [];
  const removed: RemovedFile[] = [];
  for (const file of files) {
    const decision = decisions.get(file.path);
    if (!decision) {
      kept.push(file);
      continue;
    }
    const { candidate, reason } = decision;
    const entry: RemovedFile = { path: file.path, bytes: file.bytes, ruleId: candidate.ruleId, ruleSet: candidate.ruleSet, risk: candidate.risk, reason };
    if (file.compressedBytes !== undefined) entry.compressedBytes = file.compressedBytes;
    removed.push(entry);
  }
  return { kept, removed };
}
