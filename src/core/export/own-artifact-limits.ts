import type { ArchiveLimits } from '../archive/archive-limits.js';

/**
 * Archive caps for reading back the zips export has just written. The compression-ratio cap
 * guards against hostile input; a bundle may legitimately hold a file that deflates past 1000:1
 * (zero-filled data, repetitive JSON), and these zips come from lambdafit's own writer. The size
 * caps and the checks against lying headers stay.
 */
export const OWN_ARTIFACT_LIMITS: Readonly<Partial<ArchiveLimits>> = Object.freeze({ maxRatio: Number.POSITIVE_INFINITY });
