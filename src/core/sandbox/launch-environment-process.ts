import type { EnvironmentProcess } from './environment-process.js';
import type { EnvironmentSpec } from './execution-environment.js';
import type { EnvironmentPaths } from './lambda-environment.js';
import { planResources } from './plan-resources.js';
import type { RuntimeEntry } from './runtime-entry.js';
import { spawnKernelEnvironment } from './spawn-kernel-environment.js';
import { spawnPortableEnvironment } from './spawn-portable-environment.js';

/** Paths the function sees under kernel isolation: Lambda's own. */
const LAMBDA_PATHS: EnvironmentPaths = { taskRoot: '/var/task', runtimeDir: '/var/runtime', optDir: '/opt', langDir: '/var/lang' };

/**
 * Starts the process tree of one environment with the host's isolation: kernel (namespaces,
 * cgroups) or portable (watchdogs). `buildEnv` makes the Lambda environment variables once the
 * paths the function will see are known.
 */
export function launchEnvironmentProcess(
  spec: EnvironmentSpec,
  entry: RuntimeEntry,
  buildEnv: (paths: EnvironmentPaths) => Record<string, string>,
  onLine: (line: string) => void,
  apiSocketDir: string | undefined,
): Promise<EnvironmentProcess> {
  if (spec.caps.mode === 'kernel') {
    return spawnKernelEnvironment({
      caps: spec.caps,
      stageRoot: spec.stageRoot,
      bundleDir: spec.bundleDir,
      layers: spec.fn.layers,
      entry,
      plan: planResources(spec.fn.memorySize, spec.caps.cores),
      ephemeralStorageMB: spec.fn.ephemeralStorage,
      slots: spec.slots!,
      env: buildEnv(LAMBDA_PATHS),
      network: spec.network,
      apiSocketDir,
      pythonPrefix: spec.python?.prefix,
      onLine,
    });
  }
  return spawnPortableEnvironment({
    stageRoot: spec.stageRoot,
    bundleDir: spec.bundleDir,
    layers: spec.fn.layers,
    entry,
    memoryMB: spec.fn.memorySize,
    ephemeralStorageMB: spec.fn.ephemeralStorage,
    buildEnv,
    pythonExecutable: spec.python?.executable,
    onLine,
  });
}
