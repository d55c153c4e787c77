import type { InvocationResult } from './create-sandbox.js';
import type { IsolationReport } from './isolation-report.js';

const MiB = 1024 * 1024;

function bytes(n: number): string {
  if (n >= MiB) return `${(n / MiB).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}

/** One-line summary of an invocation for humans: status, cold/warm, the REPORT figures, /tmp and CPU. */
export function formatInvocationSummary(r: Omit<InvocationResult, 'payload'>, memorySizeMB: number, index?: number): string {
  const parts = [
    `${index !== undefined ? `#${index} ` : ''}${r.cold ? 'cold' : 'warm'}`,
    r.status === 'success' ? 'success' : `${r.status} (${r.errorType ?? 'unknown'})`,
  ];
  if (r.initDurationMs !== null) parts.push(`init ${r.initDurationMs.toFixed(2)} ms`);
  parts.push(
    `duration ${r.durationMs.toFixed(2)} ms`,
    `billed ${r.billedDurationMs} ms`,
    `memory ${r.maxMemoryUsedMB}/${memorySizeMB} MB`,
    `/tmp ${bytes(r.tmpPeakBytes)}`,
  );
  if (r.cpuTimeMs !== null) parts.push(`cpu ${r.cpuTimeMs.toFixed(1)} ms`);
  return parts.join('  ');
}

/** A response or error body shortened to `max` characters for display. */
export function previewResponse(response: unknown, max = 300): string {
  const text = typeof response === 'string' ? response : JSON.stringify(response);
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/** The isolation report as lines: mode, lost guarantees, notes. */
export function formatIsolation(report: IsolationReport): string[] {
  const lines = [`sandbox: ${report.mode === 'kernel' ? 'kernel isolation' : 'portable mode'}`];
  for (const reason of report.portableReasons) lines.push(`  portable because ${reason}`);
  for (const lost of report.lost) lines.push(`  lost: ${lost}`);
  for (const note of report.notes) lines.push(`  note: ${note}`);
  return lines;
}
