import { copyFile, link, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { IN_REGION_S3, startObjectStore, type ObjectStoreNetwork, type ObjectStoreStats } from '../../object-store/object-store-server.js';

/** Options of {@link servePlanObjects}. */
export interface ServePlanObjectsOptions {
  /** Bucket the function reads from (the plan's `LAMBDAFIT_BUCKET`). */
  bucket: string;
  /** Object key → local file holding its bytes. Files are linked (or copied), never moved. */
  objects: ReadonlyMap<string, string>;
  /** Network model of the store. @default IN_REGION_S3 (90 MiB/s, 25 ms first byte) */
  network?: ObjectStoreNetwork;
  /** Folder for the store's buckets; a fresh temp folder (removed by close) when absent. */
  dir?: string;
}

/** A running store holding a plan's objects. */
export interface ServedPlanObjects {
  /** `http://127.0.0.1:port`. */
  endpoint: string;
  /**
   * Variables for the sandboxed function so the AWS SDK reaches this store: `AWS_ENDPOINT_URL_S3`
   * and placeholder credentials (the store accepts any signature). On Lambda none of them is set,
   * and the same loader uses S3's regional endpoint and the function's role.
   */
  environment: Record<string, string>;
  /** What the function fetched (GETs with bytes and ms). */
  stats: ObjectStoreStats;
  /** Stops the store and removes its temp folder. */
  close(): Promise<void>;
}

/**
 * Starts lambdafit's S3-compatible store on localhost with in-Region S3's bandwidth and latency
 * (unless told otherwise), puts a plan's objects into the bucket, and returns what a sandbox run
 * needs to fetch them. Used by `fit` to measure placements and by `check` to re-verify a plan.
 */
export async function servePlanObjects(options: ServePlanObjectsOptions): Promise<ServedPlanObjects> {
  const own = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'lambdafit-objects-')));
  try {
    for (const [key, file] of options.objects) {
      const dest = join(dir, options.bucket, ...key.split('/'));
      await mkdir(dirname(dest), { recursive: true });
      await rm(dest, { force: true });
      await link(file, dest).catch(() => copyFile(file, dest));
    }
    await mkdir(join(dir, options.bucket), { recursive: true });
    const store = await startObjectStore({ dir, network: options.network ?? IN_REGION_S3 });
    return {
      endpoint: store.endpoint,
      environment: { AWS_ENDPOINT_URL_S3: store.endpoint, AWS_ACCESS_KEY_ID: 'AKIDLAMBDAFITLOCAL', AWS_SECRET_ACCESS_KEY: 'lambdafit-local-store' },
      stats: store.stats,
      async close() {
        await store.close();
        if (own) await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (own) await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
