import type { LambdafitConfig } from '../config/config-schema.js';
import type { MeasureLimitsInput } from './measure-limits.js';

/** The configuration settings `measureLimits` checks, taken from `lambdafit.json` when set. */
export function limitSettings(config: LambdafitConfig): Pick<MeasureLimitsInput, 'environment' | 'memorySize' | 'ephemeralStorage' | 'timeout'> {
  return {
    ...(config.environment ? { environment: config.environment } : {}),
    ...(config.memorySize ? { memorySize: config.memorySize } : {}),
    ...(config.ephemeralStorage ? { ephemeralStorage: config.ephemeralStorage } : {}),
    ...(config.timeout ? { timeout: config.timeout } : {}),
  };
}
