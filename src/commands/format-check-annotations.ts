import { relative } from 'node:path';
import type { CheckReport } from '../core/check/check-report.js';

/** Escapes a workflow command's message (GitHub's rules: `%`, `\r`, `\n`). */
export function escapeCommandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow command's property value: the data rules plus `:` and `,`. */
export function escapeCommandProperty(text: string): string {
  return escapeCommandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * GitHub Actions workflow commands for the failed checks, one `::error file=…,title=…::message`
 * line each, so they show as annotations on the pull request. `file` is relative to `workspace`
 * (GITHUB_WORKSPACE, where GitHub resolves annotation paths) when inside it. Pure.
 */
export function formatCheckAnnotations(r: CheckReport, workspace: string): string {
  const lines: string[] = [];
  for (const c of r.checks) {
    if (c.status !== 'fail') continue;
    const props: string[] = [];
    if (c.file) {
      const rel = relative(workspace, c.file);
      props.push(`file=${escapeCommandProperty(rel && !rel.startsWith('..') ? rel : c.file)}`);
    }
    props.push(`title=${escapeCommandProperty(`lambdafit check: ${c.name}`)}`);
    const message = [c.message, ...(c.awsError ? [`AWS would answer: "${c.awsError}"`] : []), ...(c.details ?? []).slice(0, 10)].join('\n');
    lines.push(`::error ${props.join(',')}::${escapeCommandData(message)}`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
