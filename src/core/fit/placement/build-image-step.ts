import type { PlacementStep } from '../../plan/fit-plan.js';

/**
 * The container-image placement, the last resort (10 GB uncompressed): nothing moves, the
 * function ships as an image built from the package as the earlier steps leave it (export writes
 * the Dockerfile). Pure.
 */
export function buildImageStep(runtime: string): PlacementStep {
  return {
    kind: 'placement',
    strategy: 'image',
    description: `The function ships as a container image (AWS base image for ${runtime}) with the package as earlier steps leave it: up to 10 GB uncompressed, no zip limits.`,
    moved: [],
    added: [],
    objects: [],
    layers: [],
    environment: {},
  };
}
