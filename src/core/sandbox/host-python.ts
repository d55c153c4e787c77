import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SandboxError } from '../errors.js';

const run = promisify(execFile);

/** The host's Python, which the sandbox mounts at /var/lang for python runtimes. */
export interface HostPython {
  /** Absolute path of the interpreter. */
  executable: string;
  /** `sys.base_prefix`: the installation that becomes /var/lang. */
  prefix: string;
  /** e.g. `3.11.7`. */
  version: string;
}

let cached: Promise<HostPython> | undefined;

/**
 * Finds the host's `python3` and its installation prefix (the Python runtime uses the standard
 * library only, so any CPython 3 runs it). Throws a SandboxError naming the fix when there is none.
 */
export function detectHostPython(): Promise<HostPython> {
  cached ??= run('python3', ['-c', 'import sys, json; print(json.dumps([sys.executable, sys.base_prefix, "%d.%d.%d" % sys.version_info[:3]]))'])
    .then(({ stdout }) => {
      const [executable, prefix, version] = JSON.parse(stdout) as [string, string, string];
      return { executable, prefix, version };
    })
    .catch((err: unknown) => {
      cached = undefined;
      throw new SandboxError(`Cannot run python3 (${(err as Error).message.split('\n')[0]}); install Python 3 to run python functions in the sandbox.`, 'E_NO_PYTHON', { cause: err });
    });
  return cached;
}
