import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuntimeId } from '../config/resolve-function-config.js';
import { packageRoot } from '../package-root.js';
import { ensureNodeRuntimeDir } from './ensure-node-runtime-dir.js';
import type { RuntimeFamily } from './root-skeleton.js';

/** How the environment starts its runtime. */
export interface RuntimeEntry {
  /** Node.js, Python or a custom runtime. */
  family: RuntimeFamily;
  /** Program the environment execs, as a path inside the sandbox (`/var/runtime/bootstrap`, `/var/task/bootstrap`…). */
  entry: string;
  /** lambdafit's runtime folder on the host, mounted at /var/runtime (managed runtimes only). */
  runtimeDirHost?: string;
  /** Host path of the entry program (portable mode execs it there). */
  entryHost: string;
}

/** A failure Lambda reports before any code runs, as `Runtime.InvalidEntrypoint`. */
export interface EntryFailure {
  /** Always Runtime.InvalidEntrypoint. */
  errorType: 'Runtime.InvalidEntrypoint';
  /** Lambda's message, e.g. `fork/exec /var/task/bootstrap: permission denied`. */
  message: string;
  /** Why, in lambdafit's words, with the fix. */
  hint: string;
}

/** The runtime family of a Lambda runtime identifier. */
export function runtimeFamily(runtime: RuntimeId): RuntimeFamily {
  if (runtime.startsWith('nodejs')) return 'node';
  if (runtime.startsWith('python')) return 'python';
  return 'provided';
}

/**
 * Finds what a custom runtime runs: `/var/task/bootstrap`, else `/opt/bootstrap` from the last
 * layer that has one (later layers overwrite earlier ones), and checks it the way Lambda's exec
 * will fail: missing, not executable by the function's user (`others` bits in kernel mode, since
 * files belong to someone else than uid 993), or a CRLF shebang. Managed runtimes start
 * lambdafit's bootstrap from /var/runtime; for Node.js that folder also holds the AWS SDK v3
 * closure in `node_modules` (see `ensureNodeRuntimeDir`).
 */
export async function resolveRuntimeEntry(
  runtime: RuntimeId,
  bundleDir: string,
  layers: string[],
  executableBy: 'others' | 'self',
): Promise<RuntimeEntry | EntryFailure> {
  const family = runtimeFamily(runtime);
  if (family !== 'provided') {
    // Node functions also get the AWS SDK at /var/runtime/node_modules, as Lambda provides it.
    const runtimeDirHost = family === 'node' ? await ensureNodeRuntimeDir() : join(packageRoot(), 'sandbox', family);
    return { family, entry: '/var/runtime/bootstrap', runtimeDirHost, entryHost: join(runtimeDirHost, 'bootstrap') };
  }
  const candidates: { inside: string; host: string }[] = [{ inside: '/var/task/bootstrap', host: join(bundleDir, 'bootstrap') }];
  for (const layer of [...layers].reverse()) candidates.push({ inside: '/opt/bootstrap', host: join(layer, 'bootstrap') });
  for (const c of candidates) {
    const st = await stat(c.host).catch(() => undefined);
    if (!st?.isFile()) continue;
    const mask = executableBy === 'others' ? 0o001 : 0o111;
    if ((st.mode & mask) === 0) {
      return {
        errorType: 'Runtime.InvalidEntrypoint',
        message: `fork/exec ${c.inside}: permission denied`,
        hint: `${c.host} is not executable by the Lambda user (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); Lambda needs 0755 for executables: chmod 755 ${c.host}.`,
      };
    }
    const handle = await open(c.host, 'r');
    const head = Buffer.alloc(256);
    const { bytesRead } = await handle.read(head, 0, 256, 0);
    await handle.close();
    const firstLine = head.subarray(0, bytesRead).toString('latin1').split('\n')[0] ?? '';
    if (firstLine.startsWith('#!') && firstLine.endsWith('\r')) {
      return {
        errorType: 'Runtime.InvalidEntrypoint',
        message: `fork/exec ${c.inside}: no such file or directory`,
        hint: `${c.host} has Windows line endings (CRLF), so its interpreter "${firstLine.slice(2, -1)}\\r" does not exist; convert it to LF line endings.`,
      };
    }
    return { family, entry: c.inside, entryHost: c.host };
  }
  return {
    errorType: 'Runtime.InvalidEntrypoint',
    message: "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]",
    hint: `A ${runtime} function needs an executable file named bootstrap at the root of the bundle (${bundleDir}) or of a layer.`,
  };
}
