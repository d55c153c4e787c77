import type { CheckItem, CheckReport } from '../core/check/check-report.js';

/** Escapes text for an XML attribute or element; drops characters XML 1.0 cannot carry. */
function xml(text: string): string {
  return text
    // Control characters (a function's log can hold any) make the whole file unparseable.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;');
}

/** The body of a failure: every fact a CI reviewer needs without re-running. */
function failureText(c: CheckItem): string {
  const lines = [c.message];
  if (c.used !== undefined && c.limit !== undefined) lines.push(`used: ${c.used} ${c.unit ?? ''}`.trim(), `limit: ${c.limit} ${c.unit ?? ''}`.trim(), `headroom: ${c.headroom}`);
  if (c.budget !== undefined) lines.push(`measured: ${c.measured ?? 'n/a'} ${c.unit ?? ''}`.trim(), `budget: ${c.budget} ${c.unit ?? ''}`.trim());
  if (c.awsError) lines.push(`AWS would answer: ${c.awsError}`);
  if (c.file) lines.push(`file: ${c.file}`);
  lines.push(...(c.details ?? []));
  return lines.join('\n');
}

/**
 * The check as JUnit XML: one `<testsuite>` named after the bundle, one `<testcase>` per check
 * (classname = its category), `<failure message=…>` with the details for failed checks and
 * `<skipped message=…>` for checks that were not measured. Pure.
 */
export function formatCheckJunit(r: CheckReport): string {
  const cases = r.checks.map((c) => {
    const open = `    <testcase name="${xml(c.name)}" classname="lambdafit.check.${xml(c.category)}" id="${xml(c.id)}"${c.file ? ` file="${xml(c.file)}"` : ''}`;
    if (c.status === 'pass') return `${open}/>`;
    if (c.status === 'skip') return `${open}>\n      <skipped message="${xml(c.message)}"/>\n    </testcase>`;
    const type = c.category === 'limit' ? 'LimitExceeded' : c.category === 'budget' ? 'BudgetMissed' : c.category === 'plan' ? 'PlanOutdated' : 'VerificationFailed';
    return `${open}>\n      <failure message="${xml(c.message)}" type="${type}">${xml(failureText(c))}</failure>\n    </testcase>`;
  });
  const counts = `tests="${r.checks.length}" failures="${r.summary.failed}" errors="0" skipped="${r.summary.skipped}"`;
  const name = `lambdafit check ${r.bundle} (${r.target})`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="lambdafit" ${counts}>`,
    `  <testsuite name="${xml(name)}" ${counts}>`,
    '    <properties>',
    `      <property name="verdict" value="${xml(r.verdict)}"/>`,
    `      <property name="exitCode" value="${r.exitCode}"/>`,
    `      <property name="verificationCached" value="${r.verification.cached}"/>`,
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
