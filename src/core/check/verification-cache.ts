import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StateMeasurement } from '../plan/fit-plan.js';
import { writeChunksAtomically } from '../write-chunks-atomically.js';

/** Bump when the cached entry's meaning changes, so old entries are never read. */
const CACHE_FORMAT = 1;

/**
 * Everything a sandbox verification's outcome depends on. Each field is content, not a path or a
 * timestamp, so an unchanged bundle checked from another checkout hits the same entry.
 */
export interface VerificationKeyParts {
  /** lambdafit's version: a new sandbox or comparison may answer differently. */
  version: string;
  /** `kernel` or `portable`: the figures differ between them. */
  sandboxMode: 'kernel' | 'portable';
  /** `hashFileTree` of the input's code. */
  treeHash: string;
  /** `hashFileTree` of each configured layer, in order. */
  layerHashes: string[];
  /** sha256 of the plan file's bytes (golden outputs included), or null without a plan. */
  planHash: string | null;
  /** Without a plan: sha256 of the sorted paths the configured rules remove. */
  removedHash: string | null;
  /** The function settings the sandbox runs with. */
  function: Record<string, unknown>;
  /** sha256 of each event's bytes, in invocation order. */
  events: string[];
  /** Response comparison settings. */
  compare: Record<string, unknown>;
}

/** A stored verification outcome. */
export interface CachedVerification {
  format: typeof CACHE_FORMAT;
  key: string;
  /** ISO time it was measured. */
  measuredAt: string;
  isolation: 'kernel' | 'portable';
  events: string[];
  comparedWithGolden: boolean;
  measurement: StateMeasurement;
}

/** JSON with object keys sorted at every level, so equal content always serialises equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The cache key of a verification: sha256 of its parts as canonical JSON, hex. Pure. */
export function verificationCacheKey(parts: VerificationKeyParts): string {
  return createHash('sha256').update(`lambdafit-check-verification:${CACHE_FORMAT}\n${canonicalJson(parts)}`).digest('hex');
}

/** sha256 of bytes or text, hex. */
export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function entryPath(cacheDir: string, key: string): string {
  return join(cacheDir, 'check', `${key}.json`);
}

/** Reads a cached verification; a missing, unreadable or foreign entry is a miss. */
export async function readCachedVerification(cacheDir: string, key: string): Promise<CachedVerification | undefined> {
  try {
    const entry = JSON.parse(await readFile(entryPath(cacheDir, key), 'utf8')) as CachedVerification;
    return entry.format === CACHE_FORMAT && entry.key === key && entry.measurement ? entry : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stores a verification atomically (temp file + rename), so concurrent checks never read half an
 * entry. A cache that cannot be written is not an error: the next check just runs again.
 */
export async function writeCachedVerification(cacheDir: string, entry: Omit<CachedVerification, 'format'>): Promise<void> {
  try {
    await mkdir(join(cacheDir, 'check'), { recursive: true });
    await writeChunksAtomically(entryPath(cacheDir, entry.key), [Buffer.from(JSON.stringify({ format: CACHE_FORMAT, ...entry }) + '\n')]);
  } catch {
    // the next check just verifies again
  }
}
