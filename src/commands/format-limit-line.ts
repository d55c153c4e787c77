import type { LimitCheck } from '../core/limits/measure-limits.js';
import { formatBytes } from './format-bytes.js';

/** `553.2 MB of 250.0 MB` / `3008 MB (128–10240)` — a limit's usage in its own unit. */
export function formatUsage(l: LimitCheck): string {
  if (l.unit === 'bytes') return `${formatBytes(l.used)} of ${formatBytes(l.limit)}`;
  const range = l.min !== undefined ? ` (${l.min}–${l.limit})` : ` of ${l.limit}`;
  const unit = l.unit === 'count' ? '' : ` ${l.unit === 'seconds' ? 's' : l.unit}`;
  return `${l.used}${unit}${range}${l.assumedDefault ? ', Lambda default' : ''}`;
}

/** `headroom 12.1 MB` or `over by 303.2 MB`. */
export function formatHeadroom(l: LimitCheck): string {
  if (l.unit !== 'bytes') return l.fits ? '' : 'out of range';
  return l.fits ? `headroom ${formatBytes(l.headroom)}` : `over by ${formatBytes(-l.headroom + (l.comparison === 'lt' ? 1 : 0))}`;
}
