import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm, writeFile, copyFile, constants } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { throwIfAborted } from '../errors.js';
import type { OperationOptions } from '../progress.js';

/** Options for {@link buildDemoBundle}. */
export interface BuildDemoBundleOptions extends OperationOptions {
  /** Folder the demo bundle is written to (created atomically; reused when complete). */
  dir: string;
  /** The demo function's sources (handler, package.json, lambdafit.json, events). */
  functionDir: string;
  /** A node_modules folder holding onnxruntime-node and its dependencies (lambdafit's own). */
  nodeModulesDir: string;
  /** Where the generated model is cached between bundle rebuilds. */
  modelCachePath: string;
  /** Writes the DistilBERT-QA-shaped model to a path (the project's own ONNX writer). */
  generateModel: (outPath: string) => Promise<void>;
  /** Rebuild even when a complete bundle exists. */
  force?: boolean;
}

/** What {@link buildDemoBundle} did. */
export interface DemoBundle {
  dir: string;
  /** True when an existing complete bundle was reused. */
  reused: boolean;
  /** True when the model had to be generated (not taken from the cache). */
  generatedModel: boolean;
  /** npm packages copied into the bundle's node_modules. */
  packages: string[];
}

// Bumped whenever the demo's contents change, so stale cached bundles are rebuilt.
const DEMO_FORMAT = 2;
const MARKER = '.lambdafit-demo.json';

/**
 * Assembles the demo bundle the seed story starts from: the question-answering handler, a real
 * `node_modules` with onnxruntime-node (every platform's binaries, as npm installs it) and a
 * DistilBERT-QA-shaped fp32 model. Nothing is downloaded; the model is generated once and cached.
 */
export async function buildDemoBundle(options: BuildDemoBundleOptions): Promise<DemoBundle> {
  const { dir, signal, onProgress } = options;
  const markerPath = join(dir, MARKER);
  if (!options.force && existsSync(markerPath)) {
    const marker = JSON.parse(await readFile(markerPath, 'utf8')) as { format: number; packages: string[] };
    if (marker.format === DEMO_FORMAT) return { dir, reused: true, generatedModel: false, packages: marker.packages };
  }
  let generatedModel = false;
  if (!existsSync(options.modelCachePath)) {
    onProgress?.({ type: 'demo:step', message: 'Generating the DistilBERT-QA-shaped model (66 M parameters, fp32; once, then cached)…' });
    await mkdir(dirname(options.modelCachePath), { recursive: true });
    const tmpModel = `${options.modelCachePath}.tmp-${process.pid}`;
    await options.generateModel(tmpModel);
    await rename(tmpModel, options.modelCachePath);
    generatedModel = true;
  }
  throwIfAborted(signal);
  onProgress?.({ type: 'demo:step', message: `Assembling the demo bundle in ${dir}…` });
  const staging = `${dir}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await cp(options.functionDir, staging, { recursive: true });
  const packages = await dependencyClosure(options.nodeModulesDir, 'onnxruntime-node');
  for (const name of packages) {
    throwIfAborted(signal);
    await cp(join(options.nodeModulesDir, name), join(staging, 'node_modules', name), { recursive: true, verbatimSymlinks: true });
  }
  await mkdir(join(staging, 'model'), { recursive: true });
  await copyFile(options.modelCachePath, join(staging, 'model', 'model.onnx'), constants.COPYFILE_FICLONE);
  await writeFile(join(staging, MARKER), JSON.stringify({ format: DEMO_FORMAT, packages }, null, 2) + '\n');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dirname(dir), { recursive: true });
  try {
    await rename(staging, dir);
  } catch (err) {
    // Another process (a parallel test, a second terminal) finished the same bundle first.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(markerPath)) throw err;
  }
  return { dir, reused: false, generatedModel, packages };
}

/** The package and everything it depends on at run time, as resolved in a flat node_modules. */
async function dependencyClosure(nodeModulesDir: string, root: string): Promise<string[]> {
  const seen = new Set<string>();
  const queue = [root];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    const manifestPath = join(nodeModulesDir, name, 'package.json');
    if (!existsSync(manifestPath)) throw new Error(`${name} is not installed in ${nodeModulesDir}; run npm install.`);
    seen.add(name);
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { dependencies?: Record<string, string> };
    queue.push(...Object.keys(manifest.dependencies ?? {}));
  }
  return [...seen].sort();
}
