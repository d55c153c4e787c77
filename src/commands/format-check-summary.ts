import { relative } from 'node:path';
import type { CheckItem, CheckReport } from '../core/check/check-report.js';

const ICON: Record<CheckItem['status'], string> = { pass: '✅', fail: '❌', skip: '⏭️' };
const VERDICT: Record<CheckReport['verdict'], string> = {
  fits: '✅ fits',
  'does-not-fit': '❌ does not fit',
  'verification-failed': '❌ verification failed',
};

/** Markdown table cells must not break the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

function figure(c: CheckItem): string {
  const unit = c.unit === 'count' ? '' : (c.unit ?? '');
  if (c.used !== undefined && c.limit !== undefined) return `${c.used.toLocaleString('en-US')} / ${c.limit.toLocaleString('en-US')} ${unit}`.trim();
  if (c.budget !== undefined) return `${c.measured === null || c.measured === undefined ? 'n/a' : Math.round(c.measured).toLocaleString('en-US')} / ${c.budget.toLocaleString('en-US')} ${unit}`.trim();
  return '';
}

/** The Markdown job summary (`$GITHUB_STEP_SUMMARY`): the verdict and a table of every check. Pure. */
export function formatCheckSummary(r: CheckReport, workspace: string): string {
  const rel = relative(workspace, r.bundle);
  const out = [
    `### lambdafit check: ${VERDICT[r.verdict]} (\`${rel && !rel.startsWith('..') ? rel : r.bundle}\` → ${r.target})`,
    '',
    `${r.summary.passed} passed, ${r.summary.failed} failed, ${r.summary.skipped} skipped; exit ${r.exitCode}.` +
      (r.verification.cached ? ' Sandbox verification served from the cache (bundle unchanged).' : ''),
    '',
    '| | check | measured / limit | details |',
    '|---|---|---|---|',
    ...r.checks.map((c) => `| ${ICON[c.status]} | ${cell(c.name)} | ${cell(figure(c))} | ${cell([c.message, ...(c.awsError ? [`AWS: "${c.awsError}"`] : [])].join(' '))} |`),
    '',
  ];
  return out.join('\n') + '\n';
}
