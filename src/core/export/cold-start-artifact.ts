import type { FunctionConfig } from '../config/resolve-function-config.js';
import { measureBundleState, type MeasureBundleStateOptions } from '../fit/measure-bundle-state.js';
import { servePlanObjects, type ServedPlanObjects } from '../fit/placement/serve-plan-objects.js';
import type { OperationOptions } from '../progress.js';
import { detectHostCapabilities } from '../sandbox/host-capabilities.js';
import { prepareBundle, type PreparedBundle } from '../sandbox/prepare-bundle.js';
import type { ExportVerification } from './export-manifest.js';
import { OWN_ARTIFACT_LIMITS } from './own-artifact-limits.js';

/** Options of {@link coldStartArtifact}. */
export interface ColdStartArtifactOptions extends OperationOptions, Pick<MeasureBundleStateOptions, 'events' | 'golden' | 'numericTolerance' | 'ignore'> {
  /** The written function zip. */
  zipPath: string;
  /** The written layer zips, in order. */
  layerZips: string[];
  /** Objects the function fetches at init (key → local file), served by the local object store. */
  objects: ReadonlyMap<string, string>;
  /** Bucket the plan's loaders read (`LAMBDAFIT_BUCKET`, else the name fit baked in). */
  bucket: string;
  /** Runtime settings; `layers` is replaced by the extracted layer zips. */
  fn: FunctionConfig;
}

/**
 * Cold-starts the artifact itself: the written function zip (and layer zips) extracted by the
 * archive readers into private folders — exactly what Lambda unpacks to /var/task and /opt —
 * with the plan's objects served by the local S3-compatible store, then every sample event warm.
 * Responses are compared with the plan's golden ones when it has them. Everything is removed
 * afterwards.
 */
export async function coldStartArtifact(options: ColdStartArtifactOptions): Promise<ExportVerification> {
  const { signal } = options;
  const common = { ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(signal ? { signal } : {}) };
  const prepared: PreparedBundle[] = [];
  let served: ServedPlanObjects | undefined;
  try {
    const code = await prepareBundle(options.zipPath, { ...common, limits: OWN_ARTIFACT_LIMITS });
    prepared.push(code);
    const layers: string[] = [];
    for (const zip of options.layerZips) {
      const layer = await prepareBundle(zip, { ...common, limits: OWN_ARTIFACT_LIMITS });
      prepared.push(layer);
      layers.push(layer.dir);
    }
    let environment = options.fn.environment;
    if (options.objects.size > 0) {
      served = await servePlanObjects({ bucket: options.bucket, objects: options.objects });
      environment = { ...environment, ...served.environment };
    }
    const isolation = (await detectHostCapabilities()).mode;
    options.onProgress?.({ type: 'phase', phase: 'verify', message: `Cold-starting the exported zip in the sandbox (${isolation} isolation) with ${options.events.length} event${options.events.length === 1 ? '' : 's'}…` });
    const run = await measureBundleState({
      bundleDir: code.dir,
      fn: { ...options.fn, layers, environment },
      events: options.events,
      ...(options.golden ? { golden: options.golden } : {}),
      numericTolerance: options.numericTolerance,
      ...(options.ignore ? { ignore: options.ignore } : {}),
      ...(signal ? { signal } : {}),
    });
    return {
      ...run.measurement,
      isolation,
      comparedWithGolden: options.golden !== undefined,
      objectFetches: (served?.stats.gets ?? []).map((g) => ({ key: g.key, bytes: g.bytes, ms: g.ms })),
    };
  } finally {
    await served?.close();
    for (const p of prepared) await p.release();
  }
}
