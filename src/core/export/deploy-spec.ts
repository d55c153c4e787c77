import type { Architecture, Target } from '../config/config-schema.js';

/** What the deploy files (SAM template, AWS CLI script, Dockerfile) wire together. */
export interface DeploySpec {
  /** lambdafit's version, named in the generated files' headers. */
  lambdafit: string;
  /** Default function name (the bundle folder's name). */
  functionName: string;
  runtime: string;
  handler: string;
  arch: Architecture;
  target: Target;
  /** MB. */
  memorySize: number;
  /** /tmp, MB. */
  ephemeralStorage: number;
  /** Seconds. */
  timeout: number;
  /** The function's variables: the configured ones with the plan's merged over them. */
  environment: Record<string, string>;
  /** Variables whose value must be the objects' bucket (set from a parameter, not from the plan). */
  bucketVariables: string[];
  /** The bucket name the plan's loaders fall back to (the template parameter's default). */
  defaultBucket?: string;
  /** Layer zips, in the order Lambda applies them (paths relative to the export folder). */
  layers: { name: string; file: string }[];
  /** Objects to upload before the function runs (paths relative to the export folder). */
  objects: { key: string; file: string }[];
  /** Ships as a container image (the plan's placement is `image`). */
  image: boolean;
}

/** The S3 key the function zip is uploaded under when it goes through a bucket. */
export function codeObjectKey(spec: DeploySpec): string {
  return `lambdafit/${spec.functionName}/function.zip`;
}
