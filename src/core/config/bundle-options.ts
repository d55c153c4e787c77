import type { OperationOptions } from '../progress.js';
import type { Architecture, LambdafitConfig, Target } from './config-schema.js';

/** What every operation on one bundle takes: the input, its configuration and the deploy target. */
export interface BundleOptions extends OperationOptions {
  /** The unmodified input: a folder, .zip or .tar.gz. Never written. */
  path: string;
  /** Validated configuration (`lambdafit.json`), already merged with flags. */
  config: LambdafitConfig;
  /** Folder that relative paths in the configuration (events, layers, rule files, plan) resolve against. */
  configDir: string;
  /** Layer folders or zips in the /opt layout. @default config.layers */
  layers?: string[];
  /** Deploy target. @default config.target ?? 'zip-s3' */
  target?: Target;
  /** @default config.architecture ?? 'x86_64' */
  arch?: Architecture;
  /** lambdafit's cache folder, or false to cache nothing. @default defaultCacheDir() */
  cacheDir?: string | false;
}
