import { stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Where sandbox paths come from on the host. */
export interface PathRoots {
  /** Host folder of /var/task. */
  taskRoot: string;
  /** Host layer folders, in Lambda's order (the last one wins at /opt). */
  layers: string[];
  /** In portable mode the function sees host paths directly. */
  portable?: boolean;
}

const PATTERNS = [
  /EACCES: permission denied, \w+ '([^']+)'/g,
  /\[Errno 13\] Permission denied: '([^']+)'/g,
  /EROFS: read-only file system, \w+ '([^']+)'/g,
  /\[Errno 30\] Read-only file system: '([^']+)'/g,
];

async function hostPathOf(inside: string, roots: PathRoots): Promise<string | undefined> {
  if (roots.portable) return inside;
  if (inside === '/var/task' || inside.startsWith('/var/task/')) return join(roots.taskRoot, inside.slice('/var/task'.length));
  if (inside === '/opt' || inside.startsWith('/opt/')) {
    for (const layer of [...roots.layers].reverse()) {
      const p = join(layer, inside.slice('/opt'.length));
      if (await stat(p).then(() => true, () => false)) return p;
    }
  }
  return undefined;
}

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0');

/**
 * Explains permission failures the way Lambda would cause them: the function runs as a user that
 * owns none of the bundle's files, so a file needs o+r (0644) and a folder o+rx (0755); and only
 * /tmp is writable. Scans the invocation's logs and error body for EACCES / EROFS paths and
 * returns one sentence per path, naming the host file and the fix.
 */
export async function explainPermissionErrors(texts: string[], roots: PathRoots): Promise<string[]> {
  const hints = new Map<string, string>();
  for (const text of texts) {
    for (const [i, pattern] of PATTERNS.entries()) {
      for (const m of text.matchAll(pattern)) {
        const inside = m[1]!;
        if (hints.has(inside)) continue;
        if (i >= 2) {
          hints.set(inside, `${inside} is on a read-only file system: on Lambda only /tmp is writable; write there instead.`);
          continue;
        }
        const host = await hostPathOf(inside, roots);
        const st = host ? await stat(host).catch(() => undefined) : undefined;
        if (!host || !st) continue;
        if (st.isDirectory() && (st.mode & 0o005) !== 0o005) {
          hints.set(inside, `${inside} (${host}) is not readable by the Lambda user (mode ${octal(st.mode)}); Lambda needs 0755 for directories: chmod 755 ${host}.`);
        } else if (st.isFile() && (st.mode & 0o004) === 0) {
          hints.set(inside, `${inside} (${host}) is not readable by the Lambda user (mode ${octal(st.mode)}); Lambda needs 0644 for files: chmod 644 ${host}.`);
        }
      }
    }
  }
  return [...hints.values()];
}
