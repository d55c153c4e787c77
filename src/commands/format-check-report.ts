import { relative } from 'node:path';
import type { CheckItem, CheckReport } from '../core/check/check-report.js';
import type { SizeCheckResult } from '../core/check/evaluate-size-check.js';
import { sizeCheckReport } from '../core/check/size-check-report.js';
import { formatBytes, formatMs } from './format-bytes.js';
import { textTable } from './text-table.js';

const VERDICT_TEXT: Record<CheckReport['verdict'], string> = {
  fits: 'FITS',
  'does-not-fit': 'DOES NOT FIT',
  'verification-failed': 'VERIFICATION FAILED',
};

const MARK: Record<CheckItem['status'], string> = { pass: '✓', fail: '✗', skip: '–' };

/** A path as the user typed it: relative to the working folder when inside it. */
function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/**
 * The readable `lambdafit check` report; paths are shown relative to `cwd`. A size-only result
 * (`evaluateSizeCheck`) is shown as a check of `cwd` without verification. Pure.
 */
export function formatCheckReport(input: CheckReport | SizeCheckResult, cwd: string): string {
  const r = 'checks' in input ? input : sizeCheckReport(input, cwd);
  const out: string[] = [];
  out.push(`${VERDICT_TEXT[r.verdict]}  ${shown(r.bundle, cwd)} → ${r.target} (${r.arch})`);
  if (r.plan) out.push(`  plan: ${shown(r.plan.path, cwd)} (chosen: ${r.plan.chosen ?? 'none'}, ${r.plan.steps} step${r.plan.steps === 1 ? '' : 's'})`);
  else if (r.ruleSets.length) out.push(`  rules applied virtually (no file was changed): ${r.ruleSets.join(', ')}`);
  const label = r.plan ? 'with the plan:' : 'after rules:';
  out.push(
    `  ${'before:'.padEnd(14)} ${formatBytes(r.before.unzippedBytes)} unzipped, ${formatBytes(r.before.zippedBytes)} zipped (${r.before.files.toLocaleString('en-US')} files)`,
    `  ${label.padEnd(14)} ${formatBytes(r.after.unzippedBytes)} unzipped, ${formatBytes(r.after.zippedBytes)} zipped (${r.after.files.toLocaleString('en-US')} files)`,
  );
  if (r.applied.length > 0) {
    out.push('', 'Rules applied');
    out.push(textTable(r.applied.map((a) => [a.risk, a.ruleId, a.ruleSet, `${a.files} files`, formatBytes(a.bytes)]), ['left', 'left', 'left', 'right', 'right']));
  }
  if (r.skipped.length > 0) out.push(`  skipped above the risk limit: ${r.skipped.map((s) => `${s.ruleId} (${s.risk})`).join(', ')}`);
  out.push('', 'Checks');
  out.push(textTable(r.checks.map((c) => [MARK[c.status], c.name, c.message])));
  for (const c of r.checks.filter((x) => x.status === 'fail')) {
    if (c.awsError) out.push(`  AWS would answer: "${c.awsError}"`);
    for (const d of c.details ?? []) if (!d.startsWith('log: ')) out.push(`  ${c.name}: ${d}`);
  }
  const logTail = r.verification.logTail ?? [];
  if (logTail.length > 0) out.push('', `Function log (last ${logTail.length} lines)`, ...logTail.map((l) => `  ${l.replace(/\n/g, '\n  ')}`));
  const v = r.verification;
  const m = v.measurement;
  if (m) {
    const figures = [
      `init ${m.initDurationMs === null ? 'n/a' : formatMs(m.initDurationMs)}`,
      `cold invoke ${formatMs(m.coldDurationMs)}`,
      `warm p50 ${m.warmDurationMs === null ? 'n/a' : formatMs(m.warmDurationMs)}`,
      `max memory ${m.maxMemoryUsedMB} MB`,
    ];
    out.push('', `Sandbox (${v.isolation ?? 'unknown'} isolation): ${figures.join(', ')}.`);
    if (v.cached) out.push(`  From the verification cache: the bundle, plan, settings and events are unchanged since the last passing check (--no-cache runs it again).`);
  }
  out.push('', `${r.summary.passed} passed, ${r.summary.failed} failed, ${r.summary.skipped} skipped → exit ${r.exitCode}`);
  if (r.verdict === 'does-not-fit') out.push('Next: `lambdafit fit --out plan.json` searches for a verified plan that fits; `lambdafit scan` shows what takes the space.');
  if (r.verdict === 'verification-failed') {
    if (r.plan && !r.plan.treeHashMatches) out.push(`Next: \`lambdafit fit --out ${shown(r.plan.path, cwd)}\` makes a plan for the bundle as it is now.`);
    else if (r.plan) out.push('Next: `lambdafit run` shows the function’s logs; `lambdafit fit --out` makes a new plan if the function’s answers changed on purpose.');
    else if (r.removed.length > 0) out.push('Next: the configured rules may remove files the function needs: `lambdafit fit --out plan.json` finds which (and keeps them), `lambdafit run` shows the logs.');
    else out.push('Next: `lambdafit run` shows the function’s logs.');
  }
  return out.join('\n') + '\n';
}
