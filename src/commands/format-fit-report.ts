import type { FitPlan, PlanAlternative } from '../core/plan/fit-plan.js';
import { formatBytes, formatMs } from './format-bytes.js';
import { textTable } from './text-table.js';

/** Run statistics shown under the plan. */
export interface FitRunStats {
  verifications: number;
  elapsedMs: number;
}

function ms(v: number | null): string {
  return v === null ? '—' : formatMs(v);
}

function statusOf(a: PlanAlternative, chosen: string | null): string {
  if (a.id === chosen) return 'chosen';
  if (!a.measured.passed) return 'broke';
  if (!a.sizes.fits) return 'too big';
  return a.rejected.length > 0 ? 'over budget' : 'ok';
}

/**
 * The human report of `lambdafit fit`: the verdict, the plan's steps (learned keep-rules
 * included), and the table of measured alternatives so the trade-off is visible. Pure.
 */
export function formatFitReport(plan: FitPlan, stats: FitRunStats): string {
  const lines: string[] = [];
  const fits = plan.chosen !== null;
  lines.push(`${fits ? 'FITS' : 'DOES NOT FIT'} ${plan.target}: ${plan.input.path}`);
  lines.push(
    `  ${formatBytes(plan.input.sizes.zippedBytes)} zipped / ${formatBytes(plan.input.sizes.unzippedBytes)} unzipped → ${formatBytes(plan.predicted.zippedBytes)} / ${formatBytes(plan.predicted.unzippedBytes)}`,
  );
  lines.push('');
  lines.push('Plan (every step verified in the sandbox against the unmodified bundle):');
  if (plan.steps.length === 0) lines.push('  (no changes)');
  for (const s of plan.steps) {
    if (s.kind === 'prune') lines.push(`  prune     ${s.ruleSet}/${s.ruleId} (${s.risk}): ${s.files.length} files, ${formatBytes(s.bytes)}`);
    if (s.kind === 'keep') {
      lines.push(`  keep      ${s.ruleSet}/${s.ruleId} broke the function (${s.evidence.failure.slice(0, 120)}); bisection kept ${s.files.length} file${s.files.length === 1 ? '' : 's'}:`);
      for (const f of s.files.slice(0, 10)) lines.push(`              ${f}`);
      if (s.files.length > 10) lines.push(`              … ${s.files.length - 10} more`);
    }
    if (s.kind === 'quantize') {
      lines.push(`  quantize  ${s.modelPath} → ${s.variant}: ${formatBytes(s.inputBytes)} → ${formatBytes(s.outputBytes)}, cosine ${s.accuracy.cosine?.toFixed(5) ?? '—'}`);
    }
    if (s.kind === 'placement') {
      lines.push(`  place     ${s.strategy}: ${s.description}`);
      for (const o of s.objects) lines.push(`              object ${o.key} (${o.format}, ${formatBytes(o.bytes)}) from ${o.from.length === 1 ? o.from[0] : `${o.from.length} files`}`);
      for (const l of s.layers) lines.push(`              layer ${l.name}: ${l.files.length} files, ${formatBytes(l.unzippedBytes)} unzipped, ${formatBytes(l.zippedBytes)} zipped`);
      for (const a of s.added) lines.push(`              adds ${a.path}`);
      for (const [k, v] of Object.entries(s.environment)) lines.push(`              env ${k}=${v}`);
    }
  }
  lines.push('');
  lines.push('Measured alternatives (cold start = Init Duration; warm = median duration):');
  const rows: string[][] = [['state', 'zipped', 'unzipped', 'cold start', 'warm', 'memory', '/tmp', 'cosine', 'status']];
  for (const a of plan.alternatives) {
    rows.push([
      a.label,
      formatBytes(a.sizes.zippedBytes),
      formatBytes(a.sizes.unzippedBytes),
      ms(a.measured.initDurationMs),
      ms(a.measured.warmDurationMs),
      `${a.measured.maxMemoryUsedMB} MB`,
      a.measured.tmpPeakBytes ? formatBytes(a.measured.tmpPeakBytes) : '—',
      a.accuracyCosine === null ? '—' : a.accuracyCosine.toFixed(4),
      statusOf(a, plan.chosen),
    ]);
  }
  lines.push(textTable(rows, ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left']));
  lines.push('Cold start includes fetching objects from the local S3-compatible store (90 MiB/s, 25 ms first byte, like in-Region S3) where a placement fetches at init; unzipped counts the function package only (layers and objects are listed in the plan).');
  lines.push('');
  for (const e of plan.explanation) lines.push(e);
  lines.push(`${stats.verifications} sandbox verifications in ${formatMs(stats.elapsedMs)}.`);
  return lines.join('\n') + '\n';
}
