import { resolve } from 'node:path';
import type { Architecture, LambdafitConfig } from '../core/config/config-schema.js';
import { RUNTIMES } from '../core/config/config-schema.js';
import { loadConfig } from '../core/config/load-config.js';
import { type FunctionConfig, resolveFunctionConfig, type RuntimeId } from '../core/config/resolve-function-config.js';
import { UsageError } from '../core/errors.js';
import type { OnProgress } from '../core/progress.js';
import { formatInvocationSummary, formatIsolation, previewResponse } from '../core/sandbox/format-invocation.js';
import { requestedIsolation, type IsolationRequest } from '../core/sandbox/host-capabilities.js';
import { prepareBundle, type PreparedBundle } from '../core/sandbox/prepare-bundle.js';
import { resolveEventFiles } from '../core/sandbox/resolve-event-files.js';
import { runFunction } from '../core/sandbox/run-function.js';
import type { CommandIO, CommandModule } from './command-io.js';
import { choiceFlag, intFlag, parseCommandArgs } from './parse-command-args.js';
import { BUNDLE_FLAGS, BUNDLE_FLAGS_HELP, resolveBundleArgs } from './resolve-bundle-args.js';

/** Flags `run` and `serve` share on top of the bundle flags. */
export const FUNCTION_FLAGS = {
  ...BUNDLE_FLAGS,
  runtime: { type: 'string' },
  handler: { type: 'string' },
  network: { type: 'string' },
} as const;

/** Help lines for {@link FUNCTION_FLAGS}. */
export const FUNCTION_FLAGS_HELP = `${BUNDLE_FLAGS_HELP}
  --runtime R      nodejs20.x | python3.11 | provided.al2023 … (default: inferred from the bundle)
  --handler H      e.g. index.handler (default: inferred from the bundle)
  --network none   no network but the loopback (needs kernel isolation)`;


/** What `run` and `serve` resolve from the command line before starting a sandbox. */
export interface FunctionArgs {
  /** The bundle folder (an extraction, for archives). */
  bundle: PreparedBundle;
  /** Removes the extractions of archived bundles and layers. */
  release(): Promise<void>;
  /** The resolved function settings. */
  fn: FunctionConfig;
  /** The merged lambdafit.json and flags. */
  config: LambdafitConfig;
  /** Folder relative config paths (events, layers) resolve against. */
  configDir: string;
  /** `--network`. */
  network: 'host' | 'none';
  /** From LAMBDAFIT_SANDBOX. */
  isolation: IsolationRequest;
}

/** Resolves the bundle (extracting archives), `lambdafit.json`, the flags and the inferred settings. */
export async function resolveFunctionArgs(
  command: string,
  positional: string | undefined,
  values: Record<string, unknown>,
  io: CommandIO,
): Promise<FunctionArgs> {
  const args = await resolveBundleArgs(command, positional, values, io.cwd);
  const network = choiceFlag('network', values.network as string | undefined, ['none', 'host'] as const) ?? 'host';
  const runtime = choiceFlag('runtime', values.runtime as string | undefined, RUNTIMES) as RuntimeId | undefined;
  const isolation = requestedIsolation(io.env);
  const prepared: PreparedBundle[] = [];
  const release = async () => {
    for (const p of prepared.splice(0)) await p.release();
  };
  try {
    const bundle = await prepareBundle(args.path, { signal: io.signal });
    prepared.push(bundle);
    let layerPaths = args.layers;
    let config: LambdafitConfig = { ...args.config };
    if (bundle.extracted && !args.configPath) {
      // A zip may carry its own lambdafit.json; flags still win over it.
      const inner = await loadConfig(bundle.dir);
      config = { ...inner.config, ...config };
      if (layerPaths.length === 0) layerPaths = (inner.config.layers ?? []).map((l) => resolve(bundle.dir, l));
    }
    // Layers may be zips too; the sandbox mounts folders.
    const layers: string[] = [];
    for (const layer of layerPaths) {
      const p = await prepareBundle(layer, { signal: io.signal });
      prepared.push(p);
      layers.push(p.dir);
    }
    config.layers = layers;
    const fn = await resolveFunctionConfig(bundle.dir, config, {
      runtime,
      handler: values.handler as string | undefined,
      architecture: args.arch as Architecture,
      baseDir: args.configDir,
      nameFrom: args.path,
    });
    return { bundle, release, fn, config, configDir: args.configDir, network, isolation };
  } catch (err) {
    await release();
    throw err;
  }
}

/** Prints every sandbox log line (platform and function) on stderr as it is written. */
export function sandboxLogPrinter(stderr: NodeJS.WritableStream): OnProgress {
  return (event) => {
    if (event.type === 'sandbox:log') stderr.write(`${event.line.replace(/\n/g, '\n    ')}\n`);
    else if (event.type === 'phase' || event.type === 'log') stderr.write(`${event.message}\n`);
  };
}

/** `lambdafit run`: cold-start the bundle in the sandbox and invoke it. */
export const runCommand: CommandModule = {
  summary: 'run the bundle in the Lambda sandbox: cold start, invocations, REPORT lines',
  help: `Usage: lambdafit run [path] [options]

Runs the function in a local Lambda execution environment: the bundle read-only at /var/task,
layers at /opt, a /tmp of the configured size, memory limited to the memory size, CPU scaled to
memory/1,769 vCPU, 1,024 processes and files, a non-root user (kernel isolation as root on Linux;
portable mode otherwise, set LAMBDAFIT_SANDBOX=portable to force it). The first invocation is a
cold start; the next ones reuse the environment unless --cold. Prints Lambda's START, END,
REPORT (Duration, Billed Duration, Memory Size, Max Memory Used, Init Duration, Status) lines.

  path             a folder, a .zip or a .tar.gz (default: .)
  --event FILE     a JSON event; repeatable, used in turn (default: lambdafit.json "events",
                   else {})
  --invocations N  invocations to run (default: one per event)
  --cold           start a fresh environment for every invocation
${FUNCTION_FLAGS_HELP}

Examples:
  lambdafit run                                  one cold invocation with {}
  lambdafit run . --event events/q.json --invocations 5 --memory 3008
  lambdafit run function.zip --cold --invocations 3 --json > run.json

Exit codes: 0 every invocation succeeded, 2 bad usage or input, 3 the function or sandbox failed.
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('run', argv, {
      ...FUNCTION_FLAGS,
      event: { type: 'string', multiple: true },
      invocations: { type: 'string' },
      cold: { type: 'boolean' },
    });
    const invocations = intFlag('invocations', values.invocations, 1, 100_000);
    const { bundle, release, fn, config, configDir, network, isolation } = await resolveFunctionArgs('run', positionals[0], values, io);
    try {
      const events = await resolveEventFiles(values.event ?? [], config.events ?? [], configDir, io.cwd);
      for (const a of fn.assumptions) io.stderr.write(`assumed: ${a}\n`);
      const result = await runFunction({
        bundleDir: bundle.dir,
        fn,
        events,
        invocations,
        cold: values.cold,
        network,
        isolation,
        onProgress: sandboxLogPrinter(io.stderr),
        signal: io.signal,
      });
      for (const line of formatIsolation(result.isolation)) io.stderr.write(`${line}\n`);
      if (values.json) {
        io.stdout.write(JSON.stringify(result, null, 2) + '\n');
      } else {
        result.invocations.forEach((inv, i) => {
          io.stdout.write(`${formatInvocationSummary(inv, fn.memorySize, i + 1)}\n`);
          io.stdout.write(`    ${inv.status === 'success' ? 'response' : 'error'}: ${previewResponse(inv.response)}\n`);
          for (const hint of inv.hints) io.stdout.write(`    why: ${hint}\n`);
        });
      }
      return result.ok ? 0 : 3;
    } finally {
      await release();
    }
  },
};
