import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlanStep } from '../plan/fit-plan.js';
import type { Candidate } from '../rules/candidate.js';
import type { FileEntry } from '../scan/bundle-index.js';
import { nodeTraceHookSource, nodeTraceLoaderSource, TRACE_DIR } from './node-trace-hook.js';
import { pythonTraceHookSource } from './python-trace-hook.js';
import type { ProposedPruneStep } from './order-prune-steps.js';

/** Where Lambda mounts the function code; the trace hook reports paths below it. */
const TASK_ROOT = '/var/task';

/** The hook files to link into a traced view, and the environment that loads them. */
export interface TraceHook {
  /** Bundle path → host file, for `StagedState.added`. */
  files: Map<string, string>;
  /** Environment for the traced run. */
  environment: Record<string, string>;
}

/**
 * Writes the Node trace hook into the staging work folder (world-readable: the function runs as
 * another user) and returns what a traced run needs. `NODE_OPTIONS` keeps the function's own.
 */
export async function writeNodeTraceHook(workDir: string, existingNodeOptions: string | undefined): Promise<TraceHook> {
  const dir = join(workDir, 'trace-hook');
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const cjs = join(dir, 'trace.cjs');
  const mjs = join(dir, 'loader.mjs');
  await writeFile(cjs, nodeTraceHookSource(TASK_ROOT));
  await writeFile(mjs, nodeTraceLoaderSource(TASK_ROOT));
  await chmod(cjs, 0o644);
  await chmod(mjs, 0o644);
  return {
    files: new Map([
      [`${TRACE_DIR}/trace.cjs`, cjs],
      [`${TRACE_DIR}/loader.mjs`, mjs],
    ]),
    environment: { NODE_OPTIONS: [existingNodeOptions, `--require ${TASK_ROOT}/${TRACE_DIR}/trace.cjs`].filter(Boolean).join(' ') },
  };
}

/** Writes the Python trace hook (see `pythonTraceHookSource`) like `writeNodeTraceHook`. */
export async function writePythonTraceHook(workDir: string): Promise<TraceHook> {
  const dir = join(workDir, 'trace-hook');
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const py = join(dir, 'trace.py');
  await writeFile(py, pythonTraceHookSource(TASK_ROOT));
  await chmod(py, 0o644);
  return { files: new Map([[`${TRACE_DIR}/trace.py`, py]]), environment: { LAMBDAFIT_PYTHON_PRELOAD: `${TASK_ROOT}/${TRACE_DIR}/trace.py` } };
}

/** The trace hook for a runtime (Node.js or Python), or undefined when lambdafit cannot trace it. */
export async function writeTraceHook(workDir: string, runtime: string, existingNodeOptions: string | undefined): Promise<TraceHook | undefined> {
  if (runtime.startsWith('nodejs')) return writeNodeTraceHook(workDir, existingNodeOptions);
  if (runtime.startsWith('python')) return writePythonTraceHook(workDir);
  return undefined;
}

/**
 * Turns a trace into a pruning step: every file still in the bundle that the cold start and the
 * sample invocations never opened, except what no trace can see being read — package.json files
 * (Node reads them through an internal binding), model files (read by native code) and files a
 * keep-rule protects. The step is `caution`: code paths the events did not exercise may need
 * them, which is why it is verified and bisected like any rule. Pure; null when nothing is left.
 */
export function proposeTraceStep(files: readonly FileEntry[], traced: ReadonlySet<string>, steps: readonly PlanStep[]): ProposedPruneStep | null {
  const gone = new Set<string>();
  for (const s of steps) {
    if (s.kind === 'prune') for (const f of s.files) gone.add(f.path);
    if (s.kind === 'keep') for (const f of s.files) gone.add(f);
  }
  const unused = files.filter(
    (f) => !gone.has(f.path) && !traced.has(f.path) && f.symlinkTarget === undefined && !/(^|\/)package\.json$/.test(f.path) && f.kind !== 'model' && f.model === undefined,
  );
  if (unused.length === 0) return null;
  const candidate: Candidate = {
    ruleId: 'trace-unused',
    ruleSet: 'trace',
    risk: 'caution',
    description: 'files never opened during the cold start and the sample invocations',
    explanation: 'A file-access trace of the verified bundle (module loads, fs reads, mapped native libraries) never saw these files opened.',
    files: unused.map((f) => ({ path: f.path, bytes: f.bytes, ...(f.compressedBytes !== undefined ? { compressedBytes: f.compressedBytes } : {}), reason: 'never opened in the trace' })),
    bytes: unused.reduce((n, f) => n + f.bytes, 0),
    zippedBytes: unused.reduce((n, f) => n + (f.compressedBytes ?? f.bytes), 0),
  };
  return { label: 'files never opened (trace)', risk: 'caution', candidates: [candidate] };
}
