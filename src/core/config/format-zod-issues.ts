import type { z } from 'zod';

/** Turns zod issues into `dotted.path: message` lines, the form every config error uses. */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): string[] {
  return issues.map((issue) => {
    const path = issue.path
      .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
      .join('');
    const where = prefix + (prefix && path && !path.startsWith('[') ? '.' : '') + path;
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    return `${where || '(root)'}: ${message}`;
  });
}
