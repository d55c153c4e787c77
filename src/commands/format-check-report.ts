import type { SizeCheckResult } from '../core/check/evaluate-size-check.js';
import { formatBytes } from './format-bytes.js';
import { formatHeadroom, formatUsage } from './format-limit-line.js';
import { textTable } from './text-table.js';

/** The readable `lambdafit check` report. Pure. */
export function formatCheckReport(r: SizeCheckResult, source: string): string {
  const out: string[] = [];
  out.push(`${r.verdict === 'fits' ? 'FITS' : 'DOES NOT FIT'}  ${source} → ${r.target}`);
  out.push(
    `  before rules: ${formatBytes(r.before.unzippedBytes)} unzipped, ${formatBytes(r.before.zippedBytes)} zipped (${r.before.files.toLocaleString('en-US')} files)`,
    `  after rules:  ${formatBytes(r.after.unzippedBytes)} unzipped, ${formatBytes(r.after.zippedBytes)} zipped (${r.after.files.toLocaleString('en-US')} files)`,
  );
  if (r.applied.length > 0) {
    out.push('', 'Rules applied (virtually; no file was changed)');
    out.push(textTable(r.applied.map((a) => [a.risk, a.ruleId, a.ruleSet, `${a.files} files`, formatBytes(a.bytes)]), ['left', 'left', 'left', 'right', 'right']));
  }
  if (r.skipped.length > 0) out.push(`  skipped above the risk limit: ${r.skipped.map((s) => `${s.ruleId} (${s.risk})`).join(', ')}`);
  out.push('', 'Limits after the rules');
  out.push(textTable(r.limits.filter((l) => l.applies).map((l) => [l.fits ? '✓' : '✗', l.description, formatUsage(l), formatHeadroom(l)])));
  for (const l of r.limits.filter((x) => x.applies && !x.fits && x.message)) out.push(`  AWS would answer: "${l.message}"`);
  if (r.verdict !== 'fits') out.push('', 'Next: `lambdafit scan` shows what else could go; `lambdafit quantize` shrinks ONNX models.');
  return out.join('\n') + '\n';
}
