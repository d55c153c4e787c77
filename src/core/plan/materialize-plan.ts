import { createReadStream } from 'node:fs';
import { copyFile, link, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { materializeBundle } from '../archive/materialize-bundle.js';
import { openBundleSource } from '../archive/open-bundle-source.js';
import { writeZip, type ZipInputEntry } from '../archive/write-zip.js';
import type { LambdafitConfig } from '../config/config-schema.js';
import { InputError, throwIfAborted } from '../errors.js';
import type { OperationOptions } from '../progress.js';
import { hashFile, openQuantizedModelCache } from '../quantize/quantized-model-cache.js';
import type { BundleIndex, FileEntry } from '../scan/bundle-index.js';
import { defaultCacheDir } from '../scan/default-cache-dir.js';
import { scanBundle } from '../scan/scan-bundle.js';
import { applyPlanToFiles, type AppliedPlan } from './apply-plan-to-files.js';
import type { ExternalObject, FitPlan, PlacementStep, QuantizeStep } from './fit-plan.js';
import { hashFileTree } from './hash-file-tree.js';
import { reproduceQuantizedModel, type ReproducedFrom } from './reproduce-quantized-model.js';

/** Options of {@link materializePlan}. */
export interface MaterializePlanOptions extends OperationOptions {
  /** Unmodified input (folder, .zip, .tar.gz); never written. */
  inputPath: string;
  /** The validated plan to apply (`validateFitPlan`). */
  plan: FitPlan;
  /** Validated configuration, merged with flags. */
  config: LambdafitConfig;
  /** Folder relative configuration paths (layers) resolve against. */
  configDir: string;
  /** Configured layers (folders/zips), as for analyzeBundle. @default config.layers */
  layers?: string[];
  /** lambdafit cache folder (scan sizes, quantized models), or false for none. @default defaultCacheDir() */
  cacheDir?: string | false;
  /** Empty folder to build in (the caller owns and removes it). */
  workDir: string;
  /** The input's scan, when the caller made one already (it is not scanned again). */
  input?: BundleIndex;
}

/** A quantized model the plan ships, and where its bytes came from. */
export interface MaterializedModel {
  /** Bundle path of the model. */
  modelPath: string;
  /** sha256 the plan pins (checked). */
  hash: string;
  /** `cache`: the file `fit` verified; `quantized`: rebuilt from the input with the same bytes. */
  from: ReproducedFrom;
}

/** The plan applied to real files, ready to be zipped or mounted in the sandbox. */
export interface MaterializedPlan {
  /** The function package folder: pruned/moved files gone, quantized models in place, loaders added. */
  functionDir: string;
  /** Layer folders in the /opt layout: the configured ones then the plan's. */
  layers: { name: string; dir: string }[];
  /** Objects to upload, each as a local file. */
  objects: { key: string; file: string; bytes: number; hash: string }[];
  /** Environment variables the plan adds (merged over the configured ones by the caller). */
  environment: Record<string, string>;
  /** The scan of the unmodified input (its files carry hashes and zip sizes). */
  input: BundleIndex;
  /** What the plan's steps did to the input's file list. */
  applied: AppliedPlan<FileEntry>;
  /** Quantized models written, with their origin. */
  models: MaterializedModel[];
}

/**
 * Turns a fit plan into files: the function package as a folder (hard links into a folder input
 * where the filesystem allows, else copies; an archive input is extracted once, only the files
 * that ship), the quantized models (from the quantized-model cache, else quantized again), the
 * placement's loaders, layers and objects. Refuses, with InputError and before writing anything,
 * a plan made for another tree; checks every file the plan pins by hash. Never writes the input.
 */
export async function materializePlan(options: MaterializePlanOptions): Promise<MaterializedPlan> {
  const { plan, signal } = options;
  const inputPath = resolve(options.inputPath);
  const workDir = resolve(options.workDir);
  const progress = options.onProgress;
  const common = { ...(progress ? { onProgress: progress } : {}), ...(signal ? { signal } : {}) };
  const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;

  const input = options.input ?? (await scanBundle({ path: inputPath, cacheDir, ...common }));
  const treeHash = hashFileTree(input.code.files, plan.input.excluded ?? []);
  if (treeHash !== plan.input.treeHash) {
    throw new InputError(
      `The plan was made for another bundle (${plan.input.path}, tree ${plan.input.treeHash.slice(0, 12)}…) than ${inputPath} (tree ${treeHash.slice(0, 12)}…); run \`lambdafit fit ${inputPath} --out <plan>\` again, or export the bundle the plan was made for.`,
      'E_PLAN_OTHER_TREE',
    );
  }
  const applied = applyPlanToFiles(input.code.files, plan.steps);
  if (applied.missing.length > 0) {
    throw new InputError(`The plan names ${applied.missing.length} file(s) that ${inputPath} does not have (first: ${applied.missing[0]}); run \`lambdafit fit --out <plan>\` again on this bundle.`, 'E_PLAN_OTHER_TREE');
  }
  const placements = plan.steps.filter((s): s is PlacementStep => s.kind === 'placement');
  const moved = new Set(placements.flatMap((p) => p.moved.map((m) => m.path)));
  const added = new Map(placements.flatMap((p) => p.added.map((a) => [a.path, a] as const)));
  const quantized = new Map(plan.steps.filter((s): s is QuantizeStep => s.kind === 'quantize').map((s) => [s.modelPath, s]));
  const byPath = new Map(input.code.files.map((f) => [f.path, f]));
  // Placement may already drop moved files and list added ones (applyPlanToFiles grows with it).
  const shipped = applied.files.filter((f) => !moved.has(f.path) && !added.has(f.path));
  const needed = new Set([...shipped.map((f) => f.path), ...moved]);

  await mkdir(workDir, { recursive: true });
  const sourceDir = await sourceFolder(inputPath, workDir, needed, signal);
  const contentOf = new Map<string, string>(); // bundle path → file holding its shipped bytes
  const models: MaterializedModel[] = [];
  const cache = cacheDir === false ? undefined : openQuantizedModelCache(cacheDir);
  for (const [modelPath, step] of quantized) {
    if (!needed.has(modelPath)) continue;
    throwIfAborted(signal);
    const dest = join(workDir, 'quantized', `${step.outputHash}.onnx`);
    const from = await reproduceQuantizedModel({ step, inputModel: join(sourceDir, modelPath), dest, ...(cache ? { cache } : {}), ...common });
    models.push({ modelPath, hash: step.outputHash, from });
    contentOf.set(modelPath, dest);
  }
  const fileOf = (path: string): string => contentOf.get(path) ?? join(sourceDir, path);

  progress?.({ type: 'phase', phase: 'materialize', message: `Building the function package (${shipped.length.toLocaleString('en-US')} files)…` });
  const functionDir = join(workDir, 'function');
  await mkdir(functionDir, { mode: 0o755 });
  const dirs = new Tree(functionDir);
  for (const d of input.code.emptyDirectories ?? []) await dirs.ensure(d);
  for (const f of shipped) {
    throwIfAborted(signal);
    await dirs.ensure(dirname(f.path));
    if (f.symlinkTarget !== undefined) await symlink(f.symlinkTarget, join(functionDir, f.path));
    else await linkOrCopy(fileOf(f.path), join(functionDir, f.path));
  }
  for (const a of added.values()) {
    const got = createHash('sha256').update(a.content, 'utf8').digest('hex');
    if (got !== a.hash) throw new InputError(`The plan's generated file ${a.path} does not match its recorded sha256; the plan was edited by hand: run \`lambdafit fit --out <plan>\` again.`, 'E_PLAN_HASH');
    await dirs.ensure(dirname(a.path));
    await writeFile(join(functionDir, a.path), a.content, { mode: 0o644 });
  }

  const layers: { name: string; dir: string }[] = [];
  const names = new Set<string>();
  const configured = options.layers ?? (options.config.layers ?? []).map((l) => resolve(options.configDir, l));
  for (const layer of configured) {
    const name = uniqueName(names, basename(layer).replace(/\.(zip|tar\.gz|tgz)$/i, '') || 'layer');
    if ((await stat(layer)).isDirectory()) layers.push({ name, dir: layer });
    else {
      const dir = join(workDir, 'layers', name);
      const source = await openBundleSource(layer);
      try {
        await materializeBundle(source, dir, { ...(signal ? { signal } : {}) });
      } finally {
        await source.close();
      }
      layers.push({ name, dir });
    }
  }
  for (const layer of placements.flatMap((p) => p.layers)) {
    throwIfAborted(signal);
    const name = uniqueName(names, layer.name);
    const dir = join(workDir, 'layers', name);
    const tree = new Tree(dir);
    await mkdir(dir, { recursive: true, mode: 0o755 });
    for (const f of layer.files) {
      const entry = byPath.get(f.from);
      if (!entry) throw new InputError(`The plan's layer ${layer.name} takes ${f.from}, which ${inputPath} does not have; run \`lambdafit fit --out <plan>\` again.`, 'E_PLAN_OTHER_TREE');
      await tree.ensure(dirname(f.to));
      if (entry.symlinkTarget !== undefined) await symlink(entry.symlinkTarget, join(dir, f.to));
      else await linkOrCopy(fileOf(f.from), join(dir, f.to));
    }
    layers.push({ name, dir });
  }

  const objects: MaterializedPlan['objects'] = [];
  for (const object of placements.flatMap((p) => p.objects)) {
    throwIfAborted(signal);
    const file = join(workDir, 'objects', object.key);
    await mkdir(dirname(file), { recursive: true });
    await buildObject(object, file, fileOf, byPath, inputPath, signal);
    const bytes = (await stat(file)).size;
    const hash = await hashFile(file);
    if (hash !== object.hash || bytes !== object.bytes) {
      throw new InputError(
        `Object ${object.key} came out as ${bytes} bytes, sha256 ${hash.slice(0, 12)}…, but the plan recorded ${object.bytes} bytes, ${object.hash.slice(0, 12)}…; run \`lambdafit fit --out <plan>\` again with this lambdafit.`,
        'E_PLAN_HASH',
      );
    }
    objects.push({ key: object.key, file, bytes, hash });
  }

  const environment: Record<string, string> = {};
  for (const p of placements) Object.assign(environment, p.environment);
  return { functionDir, layers, objects, environment, input, applied, models };
}

/** A folder holding the input's files: the input itself, or the needed part of an archive. */
async function sourceFolder(inputPath: string, workDir: string, needed: ReadonlySet<string>, signal: AbortSignal | undefined): Promise<string> {
  if ((await stat(inputPath)).isDirectory()) return inputPath;
  const dir = join(workDir, 'input');
  const source = await openBundleSource(inputPath);
  try {
    await materializeBundle(source, dir, { filter: (e) => e.type === 'dir' || needed.has(e.path), ...(signal ? { signal } : {}) });
  } finally {
    await source.close();
  }
  return dir;
}

async function buildObject(
  object: ExternalObject,
  file: string,
  fileOf: (path: string) => string,
  byPath: ReadonlyMap<string, FileEntry>,
  inputPath: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  for (const p of object.from) {
    if (!byPath.has(p)) throw new InputError(`The plan's object ${object.key} takes ${p}, which ${inputPath} does not have; run \`lambdafit fit --out <plan>\` again.`, 'E_PLAN_OTHER_TREE');
  }
  if (object.format === 'file') {
    await linkOrCopy(fileOf(object.from[0]!), file);
    return;
  }
  const entries = await Promise.all(
    object.from.map(async (p): Promise<ZipInputEntry> => {
      const entry = byPath.get(p)!;
      if (entry.symlinkTarget !== undefined) return { path: p, type: 'symlink', mode: 0o777, size: 0, linkTarget: entry.symlinkTarget };
      const local = fileOf(p);
      const st = await stat(local);
      return { path: p, type: 'file', mode: st.mode, size: st.size, readAll: () => readFile(local), chunks: () => createReadStream(local, { highWaterMark: 1024 * 1024 }) };
    }),
  );
  // The fixed 1980 timestamp, whatever SOURCE_DATE_EPOCH says: the plan pins the object's hash.
  await writeZip(entries, file, { env: {}, ...(signal ? { signal } : {}) });
}

/** Hard link (same inode, no bytes copied); a copy across filesystems or where links are refused. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK' && code !== 'EACCES') throw err;
    await copyFile(from, to);
  }
}

function uniqueName(names: Set<string>, wanted: string): string {
  const base = wanted.replace(/[^A-Za-z0-9._-]+/g, '-') || 'layer';
  let name = base;
  for (let i = 2; names.has(name); i++) name = `${base}-${i}`;
  names.add(name);
  return name;
}

/** Creates a tree's folders (mode 0755) once each. */
class Tree {
  private readonly made = new Set<string>(['.', '']);
  constructor(private readonly root: string) {}
  async ensure(dir: string): Promise<void> {
    if (this.made.has(dir)) return;
    await mkdir(join(this.root, dir), { recursive: true, mode: 0o755 });
    for (let p = dir; p !== '.' && p !== '' && !this.made.has(p); p = dirname(p)) this.made.add(p);
  }
}

