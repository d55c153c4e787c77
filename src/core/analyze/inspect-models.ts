import { join } from 'node:path';
import { openBundleSource } from '../archive/open-bundle-source.js';
import { inspectModel } from '../onnx/inspect-model.js';
import type { TreeIndex } from '../scan/bundle-index.js';
import { ModelFactsCache, type ModelFacts } from './model-facts-cache.js';

/**
 * Fills in parameters, opset, producer and what quantization would save for every ONNX model of
 * a scanned tree, so the scan report can show it. A model that cannot be parsed keeps its sniffed
 * format and gets a warning instead: the scan is a report, not a model validator. Facts are
 * cached by content hash under `cacheDir` (scanned trees carry hashes), so an unchanged model is
 * parsed once.
 */
export async function inspectModels(tree: TreeIndex, warnings: string[], cacheDir: string | false = false): Promise<void> {
  const all = tree.files.filter((f) => f.model?.format === 'onnx');
  if (all.length === 0) return;
  const cache = await ModelFactsCache.load(cacheDir);
  const models = all.filter((f) => {
    const known = cache.get(f.hash);
    if (known) f.model = { ...known, format: f.model!.format };
    return !known;
  });
  if (models.length === 0) return;
  const source = tree.sourceType === 'folder' ? undefined : await openBundleSource(tree.source);
  try {
    const entries = source ? new Map((await source.entries()).map((e) => [e.path, e])) : undefined;
    for (const file of models) {
      try {
        const entry = entries?.get(file.path);
        const input = source && entry ? await source.readFile(entry) : join(tree.source, file.path);
        const info = await inspectModel(input);
        const { format: _format, ...sniffed } = file.model!;
        const facts: ModelFacts = {
          ...sniffed,
          parameters: info.parameters,
          ...(info.opset !== undefined ? { opset: info.opset } : {}),
          ...(info.producer ? { producer: info.producer } : {}),
          quantizableBytes: info.quantizableBytes,
          estimatedInt8Bytes: info.estimatedInt8Bytes,
          estimatedInt4Bytes: info.estimatedInt4Bytes,
          ...(info.notQuantizable ? { notQuantizable: info.notQuantizable } : {}),
        };
        file.model = { ...facts, format: file.model!.format };
        cache.set(file.hash, facts);
      } catch (err) {
        warnings.push(`${file.path}: could not read it as an ONNX model (${(err as Error).message})`);
      }
    }
  } finally {
    await source?.close();
    await cache.flush();
  }
}
