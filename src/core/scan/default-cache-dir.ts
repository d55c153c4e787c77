import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where lambdafit caches scan results: `$LAMBDAFIT_CACHE_DIR`, else `$XDG_CACHE_HOME/lambdafit`,
 * else `~/.cache/lambdafit`. Pure given its inputs.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  if (env.LAMBDAFIT_CACHE_DIR) return env.LAMBDAFIT_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'lambdafit');
  return join(home, '.cache', 'lambdafit');
}
