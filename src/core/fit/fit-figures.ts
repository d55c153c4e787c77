/** Bytes as MiB with one decimal, for the fit's progress and explanation sentences. */
export function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** A duration in whole milliseconds, or `n/a` when it was not measured (init failed). */
export function formatMs(ms: number | null): string {
  return ms === null ? 'n/a' : `${Math.round(ms)} ms`;
}
