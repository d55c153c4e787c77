import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { defaultCacheDir } from '../scan/default-cache-dir.js';
import type { OperationOptions } from '../progress.js';
import { buildDemoBundle, type DemoBundle } from './build-demo-bundle.js';
import { generateQaModel } from './generate-qa-model.js';

/** Options for {@link ensureDemoBundle}. */
export interface EnsureDemoBundleOptions extends OperationOptions {
  /** Where to put the bundle. @default `<lambdafit>/.demo/bundle` */
  dir?: string;
  /** Rebuild even if a complete bundle exists. */
  force?: boolean;
}

/** Builds (or reuses) the demo bundle with lambdafit's own files and model generator. */
export async function ensureDemoBundle(options: EnsureDemoBundleOptions = {}): Promise<DemoBundle> {
  const root = packageRoot();
  return buildDemoBundle({
    ...options,
    dir: options.dir ?? join(root, '.demo', 'bundle'),
    functionDir: join(root, 'demo', 'qa-function'),
    nodeModulesDir: join(root, 'node_modules'),
    modelCachePath: join(defaultCacheDir(), 'demo', 'distilbert-qa-random-fp32-v1.onnx'),
    generateModel: async (out) => {
      await generateQaModel(out);
    },
  });
}
