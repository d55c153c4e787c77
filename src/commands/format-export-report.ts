import type { ExportBundleResult } from '../core/export/export-bundle.js';
import { describeMismatch } from '../core/export/export-manifest.js';
import { formatBytes, formatExactBytes, formatMs } from './format-bytes.js';
import { formatHeadroom, formatUsage } from './format-limit-line.js';
import { textTable } from './text-table.js';

/**
 * The human report of `lambdafit export`: what was written (or why nothing was), the artifact's
 * sizes against the prediction and the limits, what the plan changed, the export's own cold start
 * of the zip, and how to deploy. Pure.
 */
export function formatExportReport(r: ExportBundleResult): string {
  const m = r.manifest;
  const lines: string[] = [];
  const f = m.artifacts.function;
  const head =
    r.status === 'exported'
      ? `EXPORTED ${m.input.path} → ${r.out}`
      : r.status === 'does-not-fit'
        ? `NOT EXPORTED: the artifact does not fit ${m.target} (${r.out} left as it was)`
        : `NOT EXPORTED: the exported zip failed its cold start in the sandbox (${r.out} left as it was)`;
  lines.push(head);
  lines.push(m.plan ? `  plan: ${m.plan.path} (${r.planSource === 'config' ? 'from lambdafit.json' : '--plan'}; chosen state: ${m.plan.chosen ?? 'none'})` : '  no plan (no --plan, no "plan" in lambdafit.json): the bundle is exported unchanged');
  lines.push(`  target ${m.target}, ${m.arch}, ${m.function.runtime} ${m.function.handler}, ${m.function.memorySize} MB, /tmp ${m.function.ephemeralStorage} MB, timeout ${m.function.timeout} s`);
  lines.push('');
  const rows: string[][] = [['file', 'size', 'unzipped', 'sha256']];
  rows.push(['function.zip', formatExactBytes(f.bytes), formatBytes(f.unzippedBytes), f.sha256.slice(0, 16)]);
  for (const l of m.artifacts.layers) rows.push([l.file, formatExactBytes(l.bytes), formatBytes(l.unzippedBytes), l.sha256.slice(0, 16)]);
  for (const o of m.artifacts.objects) rows.push([o.file, formatExactBytes(o.bytes), '', o.sha256.slice(0, 16)]);
  lines.push(textTable(rows, ['left', 'right', 'right', 'left']));
  lines.push(`  function.zip: ${f.files.toLocaleString('en-US')} files; its size equals the prediction (${formatExactBytes(f.predictedBytes)}).`);
  if (r.status === 'exported') lines.push(`  also: manifest.json (audit trail), ${m.artifacts.other.join(', ')}`);
  lines.push('');
  if (m.plan) {
    const removedBytes = m.removed.reduce((n, x) => n + x.bytes, 0);
    const rules = new Set(m.removed.map((x) => `${x.ruleSet}/${x.ruleId}`));
    const kept = m.kept.reduce((n, k) => n + k.files.length, 0);
    lines.push(
      `Plan applied: removed ${m.removed.length.toLocaleString('en-US')} files (${formatBytes(removedBytes)}) by ${rules.size} rule${rules.size === 1 ? '' : 's'}${kept > 0 ? `; kept ${kept} file${kept === 1 ? '' : 's'} the rules wanted but bisection showed the function needs` : ''} (every file, rule and reason in manifest.json).`,
    );
    for (const q of m.quantization) lines.push(`  quantized ${q.modelPath} → ${q.variant}: ${formatBytes(q.inputBytes)} → ${formatBytes(q.outputBytes)}, cosine ${q.accuracy.cosine?.toFixed(5) ?? '—'} (${q.source === 'cache' ? 'the file fit verified, from the cache' : 'quantized again: same sha256'})`);
    for (const p of m.placements) lines.push(`  placement ${p.strategy}: ${p.description}`);
    lines.push('');
  }
  lines.push(`Limits of the written artifact (${m.target}):`);
  for (const l of r.limits.filter((x) => x.applies && (x.unit === 'bytes' || !x.fits))) {
    lines.push(`  ${l.fits ? 'ok  ' : 'OVER'} ${l.description}: ${formatUsage(l)}${formatHeadroom(l) ? `, ${formatHeadroom(l)}` : ''}`);
  }
  for (const failed of r.failed) lines.push(`  ✗ ${failed}`);
  lines.push('');
  const v = m.measurements.export;
  if (v) {
    const base = `Cold start of function.zip itself in the sandbox (${v.isolation} isolation): `;
    if (v.passed) {
      lines.push(`${base}init ${v.initDurationMs === null ? '—' : formatMs(v.initDurationMs)}, ${v.invocations} invocations, max memory ${v.maxMemoryUsedMB} MB; ${v.comparedWithGolden ? "responses match the plan's recorded ones" : 'every invocation succeeded (no recorded responses to compare with)'}.`);
      for (const g of v.objectFetches) lines.push(`  fetched ${g.key} (${formatBytes(g.bytes)}) from the local object store in ${formatMs(g.ms)}`);
    } else {
      lines.push(`${base}FAILED: ${v.error ?? 'unknown error'}`);
      for (const mm of v.mismatches.slice(0, 5)) lines.push(`  ${describeMismatch(mm)}`);
    }
  } else if (r.status !== 'does-not-fit') lines.push('Cold start skipped (--no-verify): the artifact was only scanned against the limits.');
  if (r.status === 'exported') {
    const needsBucket = m.artifacts.objects.length > 0 || m.target !== 'zip-direct';
    lines.push('');
    lines.push('Deploy with the SAM CLI:');
    lines.push(`  cd ${r.out} && sam deploy --guided --template-file template.yaml${m.artifacts.objects.length > 0 ? '   # after uploading objects/ to the bucket you give as ObjectsBucket' : ''}`);
    lines.push('or with the AWS CLI:');
    lines.push(`  ROLE_ARN=arn:aws:iam::<account>:role/<role>${needsBucket ? ' BUCKET=<bucket>' : ''} ${r.out}/deploy.sh`);
  }
  lines.push(`Done in ${formatMs(r.elapsedMs)}.`);
  return lines.join('\n') + '\n';
}
