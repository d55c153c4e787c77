import type { Target } from '../config/config-schema.js';
import { environmentBytes, maskedEnvironmentJson } from './environment-bytes.js';
import { lambdaLimit } from './lambda-limits.js';
import type { LimitComparison, LimitDefinition, LimitId, LimitUnit, MessageSource } from './limit-definition.js';

const MiB = 1024 * 1024;

/** The two sizes of a scanned tree that the limits depend on (a `TreeIndex` satisfies it). */
export interface TreeSizes {
  /** Sum of regular file sizes. */
  unzippedBytes: number;
  /** Size of the zip lambdafit would write. */
  zippedBytes: number;
}

/** Payload sizes measured by the sandbox or taken from sample events; each is optional. */
export interface PayloadSizes {
  /** Largest synchronous request body. */
  syncRequestBytes?: number;
  /** Largest synchronous response body. */
  syncResponseBytes?: number;
  /** Largest asynchronous (Event) payload. */
  asyncRequestBytes?: number;
  /** Largest streamed response. */
  streamedResponseBytes?: number;
}

/** Everything `measureLimits` looks at. Sizes are bytes; settings use Lambda's units. */
export interface MeasureLimitsInput {
  /** The function code. */
  code: TreeSizes;
  /** Attached layers; only their unzipped sizes count (each layer is uploaded separately). */
  layers?: readonly Pick<TreeSizes, 'unzippedBytes'>[];
  /** Deploy target; decides which checks apply. */
  target: Target;
  /** Environment variables, for the 4 KB rule. */
  environment?: Readonly<Record<string, string>>;
  /** Memory in MB. @default 128 (Lambda's default) */
  memorySize?: number;
  /** /tmp size in MB. @default 512 (Lambda's default) */
  ephemeralStorage?: number;
  /** Timeout in seconds. @default 3 (Lambda's default) */
  timeout?: number;
  /**
   * The account's memory ceiling, when AWS holds it below 10,240 MB (new accounts: 3,008).
   * @default 10240
   */
  memoryMaxMB?: number;
  /**
   * Bytes of the container base image (runtime, OS), added to the code and layers for the image
   * target. Unknown by default, so the image check then covers only what lambdafit ships.
   * @default 0
   */
  imageBaseBytes?: number;
  /** Bytes the plan writes to /tmp during init (dependencies or models unpacked there). */
  tmpUsedBytes?: number;
  /** Measured payloads; a check is produced only for the sizes given. */
  payloads?: PayloadSizes;
}

/** One component of a measured value, so a report can say where the bytes come from. */
export interface LimitPart {
  /** `code`, `layer 1`, `base image`… */
  label: string;
  /** Bytes this part contributes. */
  bytes: number;
}

/** The verdict for one limit. */
export interface LimitCheck {
  /** Which limit (see `LAMBDA_LIMITS`). */
  id: LimitId;
  /** One line for people. */
  description: string;
  /** Unit of `limit`, `min`, `used` and `headroom`. */
  unit: LimitUnit;
  /** Upper bound in `unit` (for memory, the account ceiling when `memoryMaxMB` is set). */
  limit: number;
  /** Lower bound in `unit`, for ranged settings. */
  min?: number;
  /** Measured or configured value in `unit`. */
  used: number;
  /** `limit` again, when the unit is bytes. */
  limitBytes?: number;
  /** `used` again, when the unit is bytes. */
  usedBytes?: number;
  /** `limit − used`; negative when exceeded. With comparison `lt`, the bundle fits only while it is > 0. */
  headroom: number;
  /** `lt`: used must stay below the limit (AWS: "must be smaller than"); `le`: the limit itself is allowed. */
  comparison: LimitComparison;
  /** Whether the measured value is within the limit (and at least `min`). */
  fits: boolean;
  /** Targets the limit constrains. */
  appliesTo: readonly Target[];
  /** Whether it constrains the target that was measured (what `fitsTarget` looks at by default). */
  applies: boolean;
  /** True when `used` is Lambda's default because the setting was not given. */
  assumedDefault?: boolean;
  /** What the measured value is made of. */
  parts?: LimitPart[];
  /** When `fits` is false: the error AWS (or, per `messageSource`, lambdafit) reports. */
  message?: string;
  /** Whether `message` is AWS's verbatim text, AWS's format applied here, or lambdafit's wording. */
  messageSource?: MessageSource;
  /** AWS's wording of the quota, with caveats. */
  source: string;
}

interface Measured {
  used: number;
  limit?: number;
  assumedDefault?: boolean;
  parts?: LimitPart[];
  placeholders?: Record<string, string | number>;
}

/**
 * Measures a bundle and its configuration against every Lambda limit that can be known before
 * deploying. Pure. Checks are returned for all targets with `applies` set for `input.target`, so
 * a report can also say what another target would need.
 */
export function measureLimits(input: MeasureLimitsInput): LimitCheck[] {
  const layers = input.layers ?? [];
  const layerBytes = layers.reduce((sum, layer) => sum + layer.unzippedBytes, 0);
  const codeParts: LimitPart[] = [{ label: 'code', bytes: input.code.unzippedBytes }];
  layers.forEach((layer, i) => codeParts.push({ label: `layer ${i + 1}`, bytes: layer.unzippedBytes }));
  const unzippedLimit = lambdaLimit('unzipped-size').value;
  const env = input.environment;
  const ephemeralMB = input.ephemeralStorage ?? lambdaLimit('ephemeral-storage').default!;

  const measured: [LimitId, Measured][] = [
    ['zipped-size', { used: input.code.zippedBytes }],
    [
      'createfunction-request',
      // The request carries the zip base64-encoded; the JSON envelope around it adds a few hundred bytes more.
      { used: 4 * Math.ceil(input.code.zippedBytes / 3), parts: [{ label: 'base64 of the zip', bytes: 4 * Math.ceil(input.code.zippedBytes / 3) }] },
    ],
    [
      'unzipped-size',
      { used: input.code.unzippedBytes + layerBytes, parts: codeParts, placeholders: { budget: unzippedLimit - layerBytes } },
    ],
    ['layer-count', { used: layers.length }],
    [
      'image-size',
      {
        used: input.code.unzippedBytes + layerBytes + (input.imageBaseBytes ?? 0),
        parts: [...codeParts, ...(input.imageBaseBytes ? [{ label: 'base image', bytes: input.imageBaseBytes }] : [])],
      },
    ],
    ['memory-size', setting(input.memorySize, 'memory-size', input.memoryMaxMB)],
    ['ephemeral-storage', setting(input.ephemeralStorage, 'ephemeral-storage')],
    ['timeout', setting(input.timeout, 'timeout')],
    [
      'environment-size',
      env
        ? { used: environmentBytes(env), placeholders: { measured: maskedEnvironmentJson(env) } }
        : { used: 0, assumedDefault: true },
    ],
  ];
  if (input.tmpUsedBytes !== undefined) measured.push(['tmp-usage', { used: input.tmpUsedBytes, limit: ephemeralMB * MiB }]);
  const payloads = input.payloads ?? {};
  if (payloads.syncRequestBytes !== undefined) measured.push(['sync-request-payload', { used: payloads.syncRequestBytes }]);
  if (payloads.syncResponseBytes !== undefined) measured.push(['sync-response-payload', { used: payloads.syncResponseBytes }]);
  if (payloads.asyncRequestBytes !== undefined) measured.push(['async-request-payload', { used: payloads.asyncRequestBytes }]);
  if (payloads.streamedResponseBytes !== undefined) measured.push(['streamed-response', { used: payloads.streamedResponseBytes }]);

  return measured.map(([id, m]) => toCheck(lambdaLimit(id), m, input.target));
}

function setting(value: number | undefined, id: LimitId, ceiling?: number): Measured {
  const def = lambdaLimit(id);
  const limit = ceiling === undefined ? def.value : Math.min(def.value, ceiling);
  return value === undefined ? { used: def.default!, limit, assumedDefault: true } : { used: value, limit };
}

function toCheck(def: LimitDefinition, m: Measured, target: Target): LimitCheck {
  const limit = m.limit ?? def.value;
  const belowMin = def.min !== undefined && m.used < def.min;
  const aboveMax = def.comparison === 'lt' ? m.used >= limit : m.used > limit;
  const fits = !belowMin && !aboveMax;
  const check: LimitCheck = {
    id: def.id,
    description: def.description,
    unit: def.unit,
    limit,
    used: m.used,
    headroom: limit - m.used,
    comparison: def.comparison,
    fits,
    appliesTo: def.appliesTo,
    applies: def.appliesTo.includes(target),
    source: def.source,
  };
  if (def.min !== undefined) check.min = def.min;
  if (def.unit === 'bytes') {
    check.limitBytes = limit;
    check.usedBytes = m.used;
  }
  if (m.assumedDefault) check.assumedDefault = true;
  if (m.parts) check.parts = m.parts;
  const template = belowMin ? def.belowMinMessageTemplate : aboveMax ? def.messageTemplate : undefined;
  if (template) {
    check.message = fillTemplate(template, { limit, min: def.min ?? '', used: m.used, budget: limit, ...m.placeholders });
    if (def.messageSource) check.messageSource = def.messageSource;
  }
  return check;
}

function fillTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
