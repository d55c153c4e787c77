import type { Risk } from './schema.js';

/** One file a rule would remove, and why. */
export interface CandidateFile {
  /** Bundle path. */
  path: string;
  /** Size in bytes. */
  bytes: number;
  /** Deflated size from the scan; absent when the scan did not compress the file. */
  compressedBytes?: number;
  /** Which criterion matched, e.g. `matches "**\/*.md" inside package lodash`. */
  reason: string;
}

/** A rule that matched at least one file: what removing its files would save, and what it risks. */
export interface Candidate {
  /** Id of the rule (`user-drop` for rules.drop). */
  ruleId: string;
  /** Id of the rule set (`user` for the synthetic `user-drop` rule). */
  ruleSet: string;
  /** How much removing the files can break. */
  risk: Risk;
  /** What the rule removes, in a few words. */
  description: string;
  /** Why the files are usually unused, and what breaks when they are not. */
  explanation: string;
  /** Issues or docs behind the explanation. */
  references?: string[];
  /** Files in path order; none is claimed by any other candidate. */
  files: CandidateFile[];
  /** Sum of the files' sizes. */
  bytes: number;
  /**
   * What lambdafit's zip shrinks by when this candidate alone is applied: each file's entry
   * (headers, name twice, compressed data; `zipEntryBytes`) plus the directory entries of folders
   * it empties. See `zipBytesSaved`.
   */
  zippedBytes: number;
}

/** A file `applyCandidates` took out of the tree, with the decision that removed it. */
export interface RemovedFile {
  /** Bundle path. */
  path: string;
  /** Size in bytes. */
  bytes: number;
  /** Deflated size from the scan, when known. */
  compressedBytes?: number;
  /** The rule that removed it. */
  ruleId: string;
  /** The rule's set. */
  ruleSet: string;
  /** The rule's risk. */
  risk: Risk;
  /** Why the rule matched this file. */
  reason: string;
}
