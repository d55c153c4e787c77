import type { BundleAnalysis } from '../core/analyze/analyze-bundle.js';
import { duplicateSavings } from '../core/analyze/summarize-tree.js';
import { formatBytes, formatExactBytes } from './format-bytes.js';
import { formatHeadroom, formatUsage } from './format-limit-line.js';
import { textTable } from './text-table.js';

const TARGET_PLATFORM = { x86_64: 'linux-x64 (glibc)', arm64: 'linux-arm64 (glibc)' } as const;

/** The readable `lambdafit scan` report. Pure. */
export function formatScanReport(a: BundleAnalysis, options: { top?: number } = {}): string {
  const top = options.top ?? 10;
  const code = a.index.code;
  const out: string[] = [];
  out.push(`Bundle  ${code.source}  (${code.sourceType}, ${code.files.length.toLocaleString('en-US')} files)`);
  out.push(`  unzipped ${formatBytes(code.unzippedBytes)} (${formatExactBytes(code.unzippedBytes)})   zipped ${formatBytes(code.zippedBytes)} (${formatExactBytes(code.zippedBytes)})`);
  for (const [i, layer] of a.index.layers.entries()) {
    out.push(`  layer ${i + 1}: ${layer.source}  unzipped ${formatBytes(layer.unzippedBytes)}, zipped ${formatBytes(layer.zippedBytes)}`);
  }

  out.push('', `Limits  (target ${a.target}, ${a.arch})  ${a.fits ? 'FITS' : 'DOES NOT FIT'}`);
  const rows = a.limits
    .filter((l) => l.applies || (l.unit === 'bytes' && l.id !== 'createfunction-request'))
    .map((l) => [l.fits ? '✓' : l.applies ? '✗' : '·', l.description, formatUsage(l), l.applies ? formatHeadroom(l) : `${formatHeadroom(l)} (not checked for ${a.target})`]);
  out.push(textTable(rows));
  for (const l of a.limits.filter((x) => x.applies && !x.fits && x.message)) out.push(`  AWS would answer: "${l.message}"`);

  if (a.packages.length > 0) {
    out.push('', 'Largest packages');
    out.push(textTable(a.packages.slice(0, top).map((p) => [p.name, formatBytes(p.bytes), `${p.files} files`, p.ecosystem]), ['left', 'right', 'right']));
  }
  out.push('', 'Bytes by kind');
  out.push(textTable(a.kinds.map((k) => [k.kind, formatBytes(k.bytes), `${k.files} files`]), ['left', 'right', 'right']));

  const models = code.files.filter((f) => f.model);
  if (models.length > 0) {
    out.push('', 'Models');
    for (const m of models) {
      const info = m.model!;
      const facts = [info.format, info.parameters ? `${(info.parameters / 1e6).toFixed(2)} M parameters` : '', info.opset ? `opset ${info.opset}` : '', info.producer ?? '']
        .filter(Boolean)
        .join(', ');
      out.push(`  ${m.path}  ${formatBytes(m.bytes)}  ${facts}`);
      if (info.notQuantizable) out.push(`    not quantizable: ${info.notQuantizable}`);
      else if (info.quantizableBytes && info.estimatedInt8Bytes !== undefined) {
        out.push(
          `    ${formatBytes(info.quantizableBytes)} of float weights are quantizable: about ${formatBytes(info.estimatedInt8Bytes)} as int8` +
            (info.estimatedInt4Bytes !== undefined ? `, ${formatBytes(info.estimatedInt4Bytes)} as int4` : '') +
            ` (lambdafit quantize ${m.path})`,
        );
      }
    }
  }

  const foreign = a.candidates.find((c) => c.ruleSet === 'native-foreign');
  if (a.binaries.length > 0) {
    out.push('', `Native binaries (${a.binaries.length}; target ${TARGET_PLATFORM[a.arch]})`);
    out.push(
      textTable(
        a.binaries.slice(0, top).map((b) => [`${b.os}-${b.arch}${b.libc ? ` ${b.libc}` : ''}`, formatBytes(b.bytes), b.path]),
        ['left', 'right', 'left'],
      ),
    );
    if (a.binaries.length > top) out.push(`  … ${a.binaries.length - top} more (--json lists all)`);
  }

  if (a.duplicates.length > 0) {
    out.push('', `Duplicates: ${a.duplicates.length} groups of identical files, ${formatBytes(duplicateSavings(a.duplicates))} redundant`);
    for (const g of a.duplicates.slice(0, 5)) out.push(`  ${formatBytes(g.bytes)} × ${g.paths.length}: ${g.paths.join(', ')}`);
  }

  out.push('', `Pruning candidates (rule sets: ${a.ruleSets.join(', ')})`);
  if (a.candidates.length === 0) out.push('  none');
  else {
    const header = ['risk', 'rule', 'set', 'files', 'unzipped', 'zipped'];
    const crow = a.candidates.map((c) => [c.risk, c.ruleId, c.ruleSet, String(c.files.length), formatBytes(c.bytes), formatBytes(c.zippedBytes)]);
    out.push(textTable([header, ...crow], ['left', 'left', 'left', 'right', 'right', 'right']));
    const total = a.candidates.reduce((n, c) => n + c.bytes, 0);
    const safe = a.candidates.filter((c) => c.risk === 'safe').reduce((n, c) => n + c.bytes, 0);
    out.push(`  all candidates: ${formatBytes(total)}; safe ones alone: ${formatBytes(safe)}${foreign ? `; other platforms' binaries: ${formatBytes(foreign.bytes)}` : ''}`);
    const after = code.unzippedBytes - total;
    const unzipped = a.limits.find((l) => l.id === 'unzipped-size');
    if (unzipped) {
      const budget = unzipped.limit - a.index.layers.reduce((n, l) => n + l.unzippedBytes, 0);
      out.push(
        after < budget
          ? `  after every candidate the code would be ${formatBytes(after)}: under the ${formatBytes(budget)} unzipped budget.`
          : `  after every candidate the code would still be ${formatBytes(after)}, over the ${formatBytes(budget)} unzipped budget by ${formatBytes(after - budget + 1)}${models.length ? ': quantize the model or place it elsewhere (lambdafit fit)' : ''}.`,
      );
    }
    out.push('  `lambdafit scan --json` lists every file of every candidate with the reason it matched.');
  }
  for (const w of a.warnings.slice(0, 10)) out.push(`warning: ${w}`);
  if (a.warnings.length > 10) out.push(`… ${a.warnings.length - 10} more warnings (--json lists all)`);
  return out.join('\n') + '\n';
}
