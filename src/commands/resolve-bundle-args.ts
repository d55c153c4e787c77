import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ARCHITECTURES, TARGETS, type Architecture, type LambdafitConfig, type Target } from '../core/config/config-schema.js';
import { loadConfig } from '../core/config/load-config.js';
import { configDirFor } from '../core/analyze/analyze-bundle.js';
import { UsageError } from '../core/errors.js';
import { choiceFlag, intFlag } from './parse-command-args.js';

/** Flags shared by the commands that take a bundle. */
export const BUNDLE_FLAGS = {
  target: { type: 'string' },
  arch: { type: 'string' },
  layer: { type: 'string', multiple: true },
  config: { type: 'string' },
  memory: { type: 'string' },
  tmp: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** Help lines for {@link BUNDLE_FLAGS}. */
export const BUNDLE_FLAGS_HELP = `  --target T       zip-direct | zip-s3 | image (default: lambdafit.json, else zip-s3)
  --arch A         x86_64 | arm64 (default: lambdafit.json, else x86_64)
  --layer PATH     a layer folder or zip in the /opt layout; repeatable, at most 5
  --config FILE    configuration file (default: <path>/lambdafit.json when present)
  --memory MB      memory size, 128–10240
  --tmp MB         /tmp (ephemeral storage) size, 512–10240
  --timeout S      function timeout, 1–900
  --json           print one JSON document on stdout (progress stays on stderr)`;

/**
 * A bundle argument resolved to paths and a merged configuration; its fields are named as the
 * core operations' options, so commands pass it on with a spread.
 */
export interface BundleArgs {
  path: string;
  configDir: string;
  configPath?: string;
  config: LambdafitConfig;
  target: Target;
  arch: Architecture;
  layers: string[];
}

type BundleFlagValues = { [K in keyof typeof BUNDLE_FLAGS]?: (typeof BUNDLE_FLAGS)[K] extends { multiple: true } ? string[] : (typeof BUNDLE_FLAGS)[K] extends { type: 'boolean' } ? boolean : string };

/**
 * Resolves `[path]` and the shared flags: checks the path exists and is a folder, .zip or
 * .tar.gz, loads `lambdafit.json` (or `--config`), and lets flags override it.
 */
export async function resolveBundleArgs(command: string, positional: string | undefined, flags: BundleFlagValues, cwd: string): Promise<BundleArgs> {
  const path = resolve(cwd, positional ?? '.');
  if (!existsSync(path)) throw new UsageError(`${path} does not exist. Pass a bundle folder, .zip or .tar.gz (see \`lambdafit ${command} --help\`).`);
  const isDir = statSync(path).isDirectory();
  if (!isDir && !/\.(zip|tar\.gz|tgz)$/i.test(path)) {
    throw new UsageError(`${path} is not a folder, .zip or .tar.gz. Pass the function's folder or its deployment package.`);
  }
  const configDir = configDirFor(path);
  const loaded = await loadConfig(isDir ? path : undefined, flags.config ? resolve(cwd, flags.config) : undefined);
  const config: LambdafitConfig = { ...loaded.config };
  const memory = intFlag('memory', flags.memory, 128, 10240);
  const tmp = intFlag('tmp', flags.tmp, 512, 10240);
  const timeout = intFlag('timeout', flags.timeout, 1, 900);
  if (memory !== undefined) config.memorySize = memory;
  if (tmp !== undefined) config.ephemeralStorage = tmp;
  if (timeout !== undefined) config.timeout = timeout;
  const target = choiceFlag('target', flags.target, TARGETS) ?? config.target ?? 'zip-s3';
  const arch = choiceFlag('arch', flags.arch, ARCHITECTURES) ?? config.architecture ?? 'x86_64';
  const layerDir = loaded.path ? resolve(loaded.path, '..') : configDir;
  const layers = flags.layer && flags.layer.length > 0 ? flags.layer.map((l) => resolve(cwd, l)) : (config.layers ?? []).map((l) => resolve(layerDir, l));
  if (layers.length > 5) throw new UsageError(`${layers.length} layers given; a Lambda function can use at most 5.`);
  for (const layer of layers) if (!existsSync(layer)) throw new UsageError(`Layer ${layer} does not exist.`);
  return { path, configDir: loaded.path ? resolve(loaded.path, '..') : configDir, ...(loaded.path ? { configPath: loaded.path } : {}), config, target, arch, layers };
}
