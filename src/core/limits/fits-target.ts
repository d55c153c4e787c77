import type { Target } from '../config/config-schema.js';
import type { LimitCheck } from './measure-limits.js';

/**
 * Whether every check that constrains the target fits. Without `target`, the target the checks
 * were measured for is used (each check's `applies`); with it, the same checks answer for another
 * target, since `measureLimits` measures every target at once.
 */
export function fitsTarget(checks: readonly LimitCheck[], target?: Target): boolean {
  return checks.every((check) => !(target === undefined ? check.applies : check.appliesTo.includes(target)) || check.fits);
}

/** The checks that constrain the target and do not fit, in report order. */
export function failedChecks(checks: readonly LimitCheck[], target?: Target): LimitCheck[] {
  return checks.filter((check) => (target === undefined ? check.applies : check.appliesTo.includes(target)) && !check.fits);
}
