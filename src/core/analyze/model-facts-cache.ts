import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageVersion } from '../package-root.js';
import { writeChunksAtomically } from '../write-chunks-atomically.js';
import type { ModelInfo } from '../scan/bundle-index.js';

/** What `inspectModel` adds to a model's sniffed facts. */
export type ModelFacts = Omit<ModelInfo, 'format'>;

/**
 * The facts of inspected ONNX models by content sha256, in `<cacheDir>/scan/models.json`, so a
 * re-scan of an unchanged 265 MB model does not parse it again. Keyed by lambdafit's version
 * (the estimates may change with it). Written atomically; an unreadable file is ignored.
 */
export class ModelFactsCache {
  private dirty = false;
  private constructor(
    private readonly file: string | undefined,
    private readonly facts: Map<string, ModelFacts>,
  ) {}

  /** Loads the cache from `cacheDir`, or a cache that remembers nothing for `false`. */
  static async load(cacheDir: string | false): Promise<ModelFactsCache> {
    if (cacheDir === false) return new ModelFactsCache(undefined, new Map());
    const file = join(cacheDir, 'scan', 'models.json');
    const map = new Map<string, ModelFacts>();
    try {
      const data = JSON.parse(await readFile(file, 'utf8')) as { lambdafit?: string; models?: Record<string, ModelFacts> };
      if (data.lambdafit === packageVersion() && data.models) for (const [k, v] of Object.entries(data.models)) map.set(k, v);
    } catch {
      // absent or corrupt: start empty
    }
    return new ModelFactsCache(file, map);
  }

  /** Facts of a model with this content hash, if inspected before. */
  get(hash: string | undefined): ModelFacts | undefined {
    return hash ? this.facts.get(hash) : undefined;
  }

  /** Remembers a model's facts. */
  set(hash: string | undefined, facts: ModelFacts): void {
    if (!hash || !this.file) return;
    this.facts.set(hash, facts);
    this.dirty = true;
  }

  /** Writes the cache if it changed (a cache that cannot be written only costs speed). */
  async flush(): Promise<void> {
    if (!this.file || !this.dirty) return;
    try {
      await mkdir(join(this.file, '..'), { recursive: true });
      await writeChunksAtomically(this.file, [Buffer.from(JSON.stringify({ lambdafit: packageVersion(), models: Object.fromEntries(this.facts) }))]);
      this.dirty = false;
    } catch {
      // the next scan inspects the model again
    }
  }
}
