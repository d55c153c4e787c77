import type { BundleOptions } from '../config/bundle-options.js';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, cp, link, mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { analyzeBundle } from '../analyze/analyze-bundle.js';
import { materializeBundle } from '../archive/materialize-bundle.js';
import { openBundleSource } from '../archive/open-bundle-source.js';
import { openFolderSource } from '../archive/open-folder-source.js';
import { writeZipFromSource } from '../archive/write-zip-from-source.js';
import type { Architecture, Target } from '../config/config-schema.js';
import { resolveFunctionConfig, type RuntimeId } from '../config/resolve-function-config.js';
import { throwIfAborted, UsageError } from '../errors.js';
import { failedChecks } from '../limits/fits-target.js';
import type { LimitCheck } from '../limits/measure-limits.js';
import { hashFileTree } from '../plan/hash-file-tree.js';
import { materializePlan, type MaterializedModel } from '../plan/materialize-plan.js';
import { packageVersion } from '../package-root.js';
import { resolveEventFiles } from '../sandbox/resolve-event-files.js';
import type { BundleIndex } from '../scan/bundle-index.js';
import { scanBundle } from '../scan/scan-bundle.js';
import { coldStartArtifact } from './cold-start-artifact.js';
import { deployScript } from './deploy-script.js';
import type { DeploySpec } from './deploy-spec.js';
import { dockerfile } from './dockerfile.js';
import { buildExportManifest, exportTimestamp, type ExportManifest, type ExportVerification, type ManifestArtifact } from './export-manifest.js';
import { BUCKET_VARIABLE, placementBucket } from '../fit/placement/placement-conventions.js';
import { prepareExportOutDir } from './export-out-dir.js';
import { loadFitPlan, type PlanSource } from '../plan/load-fit-plan.js';
import { OWN_ARTIFACT_LIMITS } from './own-artifact-limits.js';
import { samTemplate } from './sam-template.js';

const DEFAULT_MODEL_TOLERANCE = 0.05;

/** Options of {@link exportBundle}. */
export interface ExportBundleOptions extends BundleOptions {
  /** @default the plan's target, else config.target, else zip-s3 */
  target?: Target;
  /** @default the plan's arch, else config.architecture, else x86_64 */
  arch?: Architecture;
  /** Plan file (`lambdafit fit --out`). @default config.plan; without either the bundle is exported unchanged */
  planPath?: string;
  /** Output folder: must not exist unless `force`. Written atomically. */
  out: string;
  /** Replace an existing `out` (atomically). */
  force?: boolean;
  /** Cold-start the written zip in the sandbox before publishing. @default true */
  verify?: boolean;
  /** Working directory for relative event paths. */
  cwd?: string;
  /** Environment read for SOURCE_DATE_EPOCH. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Called when every artifact is written, just before the rename that publishes them (tests kill the process here). */
  beforeCommit?: (stagingDir: string) => Promise<void>;
}

/** How an export ended. `exported` is the only one that writes `out`. */
export type ExportStatus = 'exported' | 'does-not-fit' | 'verification-failed';

/** What {@link exportBundle} returns. */
export interface ExportBundleResult {
  status: ExportStatus;
  /** The output folder (written only when `status` is `exported`). */
  out: string;
  /** Where the plan came from. */
  /** Where the plan came from, or `none` (the bundle exported unchanged). */
  planSource: PlanSource | 'none';
  /** The audit trail (also written as `manifest.json` when exported). */
  manifest: ExportManifest;
  /** Limits of the target the artifact misses, one sentence each (empty when it fits). */
  failed: string[];
  /** Every limit check of the written artifacts (for reports). */
  limits: LimitCheck[];
  /** Wall-clock ms. */
  elapsedMs: number;
}

/**
 * Exports a bundle — with its fit plan applied, or unchanged — as deploy-ready artifacts: the
 * deterministic function zip, layer zips, the objects to upload, `manifest.json`, a SAM
 * `template.yaml`, `deploy.sh` (and a Dockerfile for an image placement). Before publishing it
 * re-verifies the artifact itself: the zip's size must equal the prediction (else an internal
 * error), the written zips are scanned against the target's limits, and the zip is cold-started
 * in the sandbox with the sample events, compared with the plan's golden responses. Everything is
 * built in a temp folder beside `out` and renamed into place only on success; the input is never
 * written.
 */
export async function exportBundle(options: ExportBundleOptions): Promise<ExportBundleResult> {
  const started = performance.now();
  const { config, signal } = options;
  const inputPath = resolve(options.path);
  const configDir = resolve(options.configDir);
  const env = options.env ?? process.env;
  const progress = options.onProgress;
  const common = { ...(progress ? { onProgress: progress } : {}), ...(signal ? { signal } : {}) };
  const loaded = await loadFitPlan(options.planPath, config, configDir);
  const plan = loaded?.plan ?? null;
  const planPath = loaded?.path ?? null;
  const planSource: PlanSource | 'none' = loaded?.source ?? 'none';
  const out = resolve(options.out);
  refuseOverlap(out, inputPath);
  const target = options.target ?? plan?.target ?? config.target ?? 'zip-s3';
  const arch = options.arch ?? plan?.arch ?? config.architecture ?? 'x86_64';
  const configuredLayers = options.layers ?? (config.layers ?? []).map((l) => resolve(configDir, l));

  const dir = await prepareExportOutDir(out, { force: options.force ?? false });
  let committed = false;
  try {
    const staging = dir.stagingDir;
    const zipPath = join(staging, 'function.zip');
    let input: BundleIndex;
    let functionRoot: string;
    let layerDirs: { name: string; dir: string }[];
    let objects: { key: string; file: string; bytes: number; hash: string }[] = [];
    let planEnvironment: Record<string, string> = {};
    let models: MaterializedModel[] = [];
    let removed: string[] = [];
    let expectedZipBytes: number;
    let functionDir: string | undefined;
    if (plan) {
      const m = await materializePlan({ inputPath, plan, config, configDir, layers: configuredLayers, workDir: join(dir.workDir, 'plan'), ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}), ...common });
      input = m.input;
      functionDir = m.functionDir;
      functionRoot = m.functionDir;
      layerDirs = m.layers;
      objects = m.objects;
      planEnvironment = m.environment;
      models = m.models;
      removed = m.applied.removed;
      expectedZipBytes = plan.predicted.zippedBytes;
      progress?.({ type: 'phase', phase: 'export', message: 'Writing function.zip…' });
      const source = await openFolderSource(functionDir);
      await writeZipFromSource(source, zipPath, { env, ...common });
    } else {
      input = await scanBundle({ path: inputPath, ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}), ...common });
      expectedZipBytes = input.code.zippedBytes;
      progress?.({ type: 'phase', phase: 'export', message: 'No plan: exporting the bundle unchanged. Writing function.zip…' });
      const source = await openBundleSource(inputPath);
      try {
        await writeZipFromSource(source, zipPath, { env, ...common });
      } finally {
        await source.close();
      }
      functionRoot = (await stat(inputPath)).isDirectory() ? inputPath : await extractRoot(zipPath, join(dir.workDir, 'root'));
      const names = new Set<string>();
      layerDirs = configuredLayers.map((l, i) => ({ name: layerName(l, i, names), dir: l }));
    }
    const zipBytes = (await stat(zipPath)).size;
    // A plan carries the compressed sizes of the lambdafit that made it; another version may
    // compress differently, which is drift to report, not a fault. The writer and the prediction
    // of this version are held to exactness below, on the written zip's own content.
    if (zipBytes !== expectedZipBytes && plan) {
      progress?.({ type: 'log', level: 'warn', message: `function.zip is ${zipBytes.toLocaleString('en-US')} bytes where the plan predicted ${expectedZipBytes.toLocaleString('en-US')} (a plan from a lambdafit that compresses differently); re-run \`lambdafit fit\` to refresh its figures.` });
    } else if (zipBytes !== expectedZipBytes) {
      throw new Error(`function.zip is ${zipBytes} bytes but the scan predicted ${expectedZipBytes}; the zip writer and the size prediction disagree`);
    }

    throwIfAborted(signal);
    const layerZips: { name: string; file: string; path: string }[] = [];
    if (layerDirs.length > 0) await mkdir(join(staging, 'layers'));
    for (const layer of layerDirs) {
      const path = join(staging, 'layers', `${layer.name}.zip`);
      progress?.({ type: 'phase', phase: 'export', message: `Writing layers/${layer.name}.zip…` });
      const source = await openBundleSource(layer.dir);
      try {
        await writeZipFromSource(source, path, { env, ...common });
      } finally {
        await source.close();
      }
      layerZips.push({ name: layer.name, file: `layers/${layer.name}.zip`, path });
    }
    for (const o of objects) {
      const dest = join(staging, 'objects', ...o.key.split('/'));
      await mkdir(dirname(dest), { recursive: true });
      await link(o.file, dest).catch(() => copyFile(o.file, dest));
    }

    // The artifact as Lambda will see it: the written zips, scanned like any bundle.
    const environment = { ...(config.environment ?? {}), ...planEnvironment };
    progress?.({ type: 'phase', phase: 'export', message: 'Checking the written zips against the limits…' });
    const analysis = await analyzeBundle(
      { path: zipPath, layers: layerZips.map((l) => l.path), config: { ...config, environment }, configDir, target, arch, archiveLimits: OWN_ARTIFACT_LIMITS, ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}), ...common },
      'check',
    );
    if (analysis.index.code.zippedBytes !== zipBytes) {
      throw new Error(`function.zip is ${zipBytes} bytes but a scan of its own content predicts ${analysis.index.code.zippedBytes}; the zip writer and the size prediction disagree`);
    }
    const failed = failedChecks(analysis.limits).map((c) => `${c.description}: ${c.used.toLocaleString('en-US')} ${c.unit} used, limit ${c.limit.toLocaleString('en-US')}`);

    const fn = await resolveFunctionConfig(functionRoot, config, {
      baseDir: configDir,
      nameFrom: inputPath,
      architecture: arch,
      ...(plan ? { runtime: plan.function.runtime as RuntimeId, handler: plan.function.handler } : {}),
    });
    const fnEnvironment = { ...fn.environment, ...planEnvironment };
    let verification: ExportVerification | null = null;
    if (failed.length === 0 && options.verify !== false) {
      const events = await resolveEventFiles([], config.events ?? [], configDir, options.cwd ?? process.cwd());
      const sameEvents = plan !== null && plan.events.length === events.length && plan.events.every((e, i) => e === events[i]!.name);
      const golden = plan?.verification.golden && sameEvents ? plan.verification.golden : undefined;
      if (plan?.verification.golden && !sameEvents) progress?.({ type: 'log', level: 'warn', message: 'The sample events differ from those the plan was verified with: the exported zip must answer without errors, but its responses are not compared with the plan\'s.' });
      const quantized = plan?.steps.some((s) => s.kind === 'quantize') ?? false;
      verification = await coldStartArtifact({
        zipPath,
        layerZips: layerZips.map((l) => l.path),
        objects: new Map(objects.map((o) => [o.key, o.file])),
        // The bucket the loaders read: LAMBDAFIT_BUCKET, else the name baked in when fit made them.
        bucket: fnEnvironment[BUCKET_VARIABLE] ?? placementBucket(fn.functionName),
        fn: { ...fn, environment: fnEnvironment },
        events,
        ...(golden ? { golden } : {}),
        numericTolerance: quantized ? (config.verify?.modelTolerance ?? DEFAULT_MODEL_TOLERANCE) : (config.verify?.numericTolerance ?? 0),
        ...(config.verify?.ignore ? { ignore: config.verify.ignore } : {}),
        ...common,
      });
    }

    const image = plan?.steps.some((s) => s.kind === 'placement' && s.strategy === 'image') ?? false;
    const spec: DeploySpec = {
      lambdafit: packageVersion(),
      functionName: fn.functionName,
      runtime: fn.runtime,
      handler: fn.handler,
      arch,
      target,
      memorySize: fn.memorySize,
      ephemeralStorage: fn.ephemeralStorage,
      timeout: fn.timeout,
      environment: fnEnvironment,
      // Loaders read LAMBDAFIT_BUCKET first, so deploying points them at the user's own bucket.
      bucketVariables: objects.length > 0 ? [BUCKET_VARIABLE] : [],
      defaultBucket: fnEnvironment[BUCKET_VARIABLE] ?? placementBucket(fn.functionName),
      layers: layerZips.map((l) => ({ name: l.name, file: l.file })),
      objects: objects.map((o) => ({ key: o.key, file: `objects/${o.key}` })),
      image,
    };
    const other = ['template.yaml', 'deploy.sh', ...(image ? ['Dockerfile', 'function/', ...layerDirs.map((l) => `layers/${l.name}/`)] : [])];
    const manifest = buildExportManifest({
      lambdafit: spec.lambdafit,
      createdAt: exportTimestamp(env),
      input: { path: inputPath, type: input.code.sourceType, treeHash: hashFileTree(input.code.files, plan?.input.excluded ?? []), files: input.code.files.length, unzippedBytes: input.code.unzippedBytes, zippedBytes: input.code.zippedBytes },
      plan,
      planPath,
      target,
      arch,
      function: { runtime: fn.runtime, handler: fn.handler, memorySize: fn.memorySize, ephemeralStorage: fn.ephemeralStorage, timeout: fn.timeout, environment: fnEnvironment },
      artifacts: {
        function: { ...(await artifact(staging, zipPath)), files: analysis.index.code.files.length, unzippedBytes: analysis.index.code.unzippedBytes, predictedBytes: expectedZipBytes },
        layers: await Promise.all(layerZips.map(async (l, i) => ({ name: l.name, ...(await artifact(staging, l.path)), unzippedBytes: analysis.index.layers[i]?.unzippedBytes ?? 0 }))),
        objects: objects.map((o) => ({ key: o.key, file: `objects/${o.key}`, bytes: o.bytes, sha256: o.hash })),
        other,
      },
      fileBytes: new Map(input.code.files.map((f) => [f.path, f.bytes])),
      removed,
      models,
      limits: analysis.limits,
      fits: failed.length === 0,
      verification,
    });
    const status: ExportStatus = failed.length > 0 ? 'does-not-fit' : verification && !verification.passed ? 'verification-failed' : 'exported';
    if (status !== 'exported') return { status, out, planSource, manifest, failed, limits: analysis.limits, elapsedMs: performance.now() - started };

    await writeFile(join(staging, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    await writeFile(join(staging, 'template.yaml'), samTemplate(spec));
    await writeFile(join(staging, 'deploy.sh'), deployScript(spec));
    await chmod(join(staging, 'deploy.sh'), 0o755);
    if (image) {
      await writeFile(join(staging, 'Dockerfile'), dockerfile(spec));
      await cp(functionDir!, join(staging, 'function'), { recursive: true, verbatimSymlinks: true });
      for (const l of layerDirs) await cp(l.dir, join(staging, 'layers', l.name), { recursive: true, verbatimSymlinks: true });
    }
    await options.beforeCommit?.(staging);
    throwIfAborted(signal);
    await dir.commit();
    committed = true;
    return { status, out, planSource, manifest, failed, limits: analysis.limits, elapsedMs: performance.now() - started };
  } finally {
    if (!committed) await dir.discard();
  }
}

/** `--out` inside the input would change the input (and its tree hash); the input inside `--out` could be replaced by --force. */
function refuseOverlap(out: string, input: string): void {
  const inside = (child: string, parent: string) => child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
  if (inside(out, input)) throw new UsageError(`--out ${out} is inside the bundle ${input}; the input is never written, so choose a folder outside it.`, 'E_OUT_INSIDE_INPUT');
  if (inside(input, out)) throw new UsageError(`--out ${out} contains the bundle ${input}; choose a folder that does not hold the input.`, 'E_OUT_INSIDE_INPUT');
}

/** The root-level files of a written zip, for runtime and handler inference. */
async function extractRoot(zipPath: string, dest: string): Promise<string> {
  const source = await openBundleSource(zipPath, { limits: OWN_ARTIFACT_LIMITS });
  try {
    await materializeBundle(source, dest, { filter: (e) => !e.path.includes('/') });
  } finally {
    await source.close();
  }
  return dest;
}

function layerName(path: string, i: number, taken: Set<string>): string {
  const base = basename(path).replace(/\.(zip|tar\.gz|tgz)$/i, '').replace(/[^A-Za-z0-9._-]+/g, '-') || `layer-${i + 1}`;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}

async function artifact(root: string, path: string): Promise<ManifestArtifact> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return { file: relative(root, path).split(sep).join('/'), bytes: (await stat(path)).size, sha256: h.digest('hex') };
}
