import type { Target } from '../config/config-schema.js';

/**
 * The shape of one Lambda limit as data (the table is `LAMBDA_LIMITS`). Byte limits are exact
 * byte counts; settings use Lambda's own units.
 */

/** Identifier of one Lambda limit. */
export type LimitId =
  | 'zipped-size'
  | 'createfunction-request'
  | 'unzipped-size'
  | 'layer-count'
  | 'image-size'
  | 'image-config'
  | 'console-editor'
  | 'code-storage'
  | 'memory-size'
  | 'ephemeral-storage'
  | 'tmp-usage'
  | 'timeout'
  | 'init-phase'
  | 'environment-size'
  | 'sync-request-payload'
  | 'sync-response-payload'
  | 'async-request-payload'
  | 'streamed-response'
  | 'request-line-headers'
  | 'file-descriptors'
  | 'processes'
  | 'concurrency';

/** Unit a limit's `value`, `min` and measured `used` are expressed in. */
export type LimitUnit = 'bytes' | 'MB' | 'seconds' | 'count';

/**
 * How the measured value compares with the limit. `lt`: it must be strictly smaller (AWS's
 * wording is "must be smaller than N bytes", and LocalStack rejects at `size >= limit`), so a
 * bundle of exactly N bytes does not fit. `le`: N itself is allowed (ranges such as 128–10,240 MB,
 * "limit 6291456 bytes", "exceeded the 4KB limit").
 */
export type LimitComparison = 'lt' | 'le';

/** Where the text of a limit's error message comes from. */
export type MessageSource =
  /** Verbatim from AWS (lambda-facts §1). */
  | 'aws'
  /** AWS's validation-message shape applied to another field; plausible but not seen verbatim. */
  | 'aws-format'
  /** lambdafit's own wording: AWS's text is not documented. */
  | 'lambdafit';

/** One Lambda limit as data. */
export interface LimitDefinition {
  /** Stable identifier, used by checks and reports. */
  id: LimitId;
  /** One line for people. */
  description: string;
  /** The upper bound, in `unit`. */
  value: number;
  /** Lower bound for ranged settings (memory, /tmp, timeout). */
  min?: number;
  /** Lambda's default for a setting the user may leave out. */
  default?: number;
  /** Unit of `value`, `min` and `default`. */
  unit: LimitUnit;
  /** How a measured value compares with `value`. */
  comparison: LimitComparison;
  /** Deploy targets the limit constrains. */
  appliesTo: readonly Target[];
  /**
   * Error text when `used` exceeds the limit. Placeholders: `{limit}`, `{min}`, `{used}`,
   * `{budget}` (limit minus what layers already take), `{measured}` (env JSON, values masked).
   */
  messageTemplate?: string;
  /** Error text when `used` is below `min`. Same placeholders. */
  belowMinMessageTemplate?: string;
  /** Where the message templates' wording comes from. */
  messageSource?: MessageSource;
  /** AWS's own wording of the quota, with caveats from the fact sheet. */
  source: string;
  /**
   * False for limits lambdafit records but cannot measure from a bundle and its configuration
   * (concurrency, file descriptors…); the sandbox enforces some of them at run time.
   */
  measurable: boolean;
}
