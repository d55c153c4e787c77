/**
 * Caps that stop decompression bombs before they fill the disk or the memory. A real Lambda
 * bundle is at most 10 GB (container image), so the defaults leave room without being unbounded.
 */
export interface ArchiveLimits {
  /** Maximum total uncompressed bytes of all entries. Default 20 GiB. */
  maxTotalBytes: number;
  /** Maximum uncompressed/compressed ratio of one entry above `ratioMinBytes`. Default 1000. */
  maxRatio: number;
  /** Entries smaller than this are exempt from the ratio cap (tiny files compress absurdly). Default 1 MiB. */
  ratioMinBytes: number;
}

/** The default archive limits. */
export const DEFAULT_ARCHIVE_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxTotalBytes: 20 * 1024 ** 3,
  maxRatio: 1000,
  ratioMinBytes: 1024 ** 2,
});

/** Fills in defaults for the limits a caller did not set. */
export function resolveArchiveLimits(limits: Partial<ArchiveLimits> | undefined): ArchiveLimits {
  return { ...DEFAULT_ARCHIVE_LIMITS, ...limits };
}
