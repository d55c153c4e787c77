import { createHash } from 'node:crypto';

/** Folder of the function package that holds generated loaders. */
export const LOADER_DIR = 'lambdafit';
/** Where Lambda mounts the function code; generated `NODE_OPTIONS` name loaders there. */
export const TASK_ROOT = '/var/task';
/** Environment variable naming the bucket of a plan's objects (set it at deploy time). */
export const BUCKET_VARIABLE = 'LAMBDAFIT_BUCKET';

/**
 * The bucket name a plan records for its objects: `lambdafit-<function name>`, cut to S3's
 * rules (3–63 characters, lower case, digits, hyphens). Users deploy with their own bucket by
 * setting `LAMBDAFIT_BUCKET`; the loaders read it first. Pure.
 */
export function placementBucket(functionName: string): string {
  const cleaned = `lambdafit-${functionName}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/-$/, '');
  return cleaned.slice(0, 63).replace(/-$/, '');
}

/** Content-addressed object key, so a changed object never overwrites the one a deployed version reads. Pure. */
export function objectKey(hash: string, name: string): string {
  return `${LOADER_DIR}/${hash.slice(0, 16)}/${name}`;
}

/** `NODE_OPTIONS` with one more preload, after those already there (earlier steps' loaders run first). Pure. */
export function withPreload(existing: string | undefined, loaderPath: string): string {
  return [existing, `--require ${TASK_ROOT}/${loaderPath}`].filter(Boolean).join(' ');
}

/** sha256 of a UTF-8 text, hex. */
export function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
