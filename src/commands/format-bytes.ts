/** Lambda's units: 1 MB = 1,048,576 B (lambda-facts §1), so sizes print in binary MB/GB. */
export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  const sign = bytes < 0 ? '-' : '';
  if (abs >= 2 ** 30) return `${sign}${(abs / 2 ** 30).toFixed(2)} GB`;
  if (abs >= 2 ** 20) return `${sign}${(abs / 2 ** 20).toFixed(1)} MB`;
  if (abs >= 2 ** 10) return `${sign}${(abs / 2 ** 10).toFixed(1)} KB`;
  return `${sign}${abs} B`;
}

/** An exact byte count with thousands separators, e.g. `262,144,000 B`. */
export function formatExactBytes(bytes: number): string {
  return `${bytes.toLocaleString('en-US')} B`;
}

/** A duration in ms as `812 ms` or `4.2 s`. */
export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}
