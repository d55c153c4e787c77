import type { LambdafitConfig } from '../config/config-schema.js';
import type { QuantizeMode } from '../quantize/plan-quantization.js';

/** A model to quantize and the modes to try, in order. */
export interface ModelTarget {
  /** Bundle path. */
  path: string;
  /** Modes in the order to try them. */
  modes: QuantizeMode[];
  /** Accuracy gate: minimum cosine. */
  minCosine?: number;
  /** Accuracy gate: minimum top-1 agreement. */
  minTop1?: number;
}

/** Models named in the configuration, else ONNX files the scan found; int4 only when configured. */
export function modelsToQuantize(config: LambdafitConfig, files: readonly { path: string; model?: { format: string } }[], removed: ReadonlySet<string>): ModelTarget[] {
  const present = new Set(files.map((f) => f.path));
  if (config.models && config.models.length > 0) {
    return config.models
      .filter((m) => present.has(m.path) && !removed.has(m.path))
      .map((m) => {
        const modes = (m.modes ?? ['int8']).flatMap((x): QuantizeMode[] => (x === 'auto' ? ['int8', 'int4'] : [x]));
        return { path: m.path, modes: [...new Set(modes)], ...(m.minCosine !== undefined ? { minCosine: m.minCosine } : {}), ...(m.minTop1 !== undefined ? { minTop1: m.minTop1 } : {}) };
      });
  }
  return files.filter((f) => f.model?.format === 'onnx' && !removed.has(f.path)).map((f) => ({ path: f.path, modes: ['int8'] }));
}

