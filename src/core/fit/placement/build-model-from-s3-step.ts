import type { PlacementStep } from '../../plan/fit-plan.js';
import { modelFetchShimSource } from './model-fetch-shim.js';
import { BUCKET_VARIABLE, LOADER_DIR, objectKey, sha256Text, withPreload } from './placement-conventions.js';

/** The model file that leaves the package, as it ships after earlier steps. */
export interface ModelToPlace {
  /** Bundle path (`model/model.onnx`). */
  path: string;
  /** Bytes as it ships (the quantized size after a quantize step). */
  bytes: number;
  /** sha256 as it ships, hex. */
  hash: string;
}

/** Inputs of {@link buildModelFromS3Step}. */
export interface ModelFromS3Input {
  model: ModelToPlace;
  /** Bucket recorded in the plan (`placementBucket`). */
  bucket: string;
  /** `NODE_OPTIONS` in force before this step (configured, or set by earlier placements). */
  nodeOptions: string | undefined;
}

/**
 * The "model from object storage into memory at init" placement: the model file leaves the zip
 * and becomes an object (the bytes as they ship, so a quantized model after a quantize step);
 * the generated preload (`modelFetchShimSource`) joins the package and `NODE_OPTIONS` loads it.
 * Pure.
 */
export function buildModelFromS3Step(input: ModelFromS3Input): PlacementStep {
  const { model, bucket } = input;
  const key = objectKey(model.hash, model.path.split('/').pop()!);
  const loaderPath = `${LOADER_DIR}/model-fetch.cjs`;
  const content = modelFetchShimSource({ modelPath: model.path, bucket, key });
  return {
    kind: 'placement',
    strategy: 'model-from-s3',
    description: `${model.path} is fetched from s3://${bucket}/${key} into memory at init by a generated preload (AWS SDK v3 from the runtime), instead of shipping in the zip.`,
    moved: [{ path: model.path, bytes: model.bytes }],
    added: [{ path: loaderPath, content, hash: sha256Text(content) }],
    objects: [{ key, from: [model.path], format: 'file', bytes: model.bytes, hash: model.hash }],
    layers: [],
    environment: { NODE_OPTIONS: withPreload(input.nodeOptions, loaderPath), [BUCKET_VARIABLE]: bucket },
  };
}
