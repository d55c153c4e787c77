import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import type { InputSpec } from './describe-inputs.js';
import type { ProbeSample } from './run-ort-probe.js';
import { toTensor } from './synthesize-inputs.js';

/**
 * The `--inputs FILE` format: JSON, either `{ "samples": [ … ] }` or a bare array of samples.
 * Each sample maps every model input name to a nested array (its shape is the nesting) or to
 * `{ "dims": [1, 4], "data": [101, 2054, 2003, 102] }` (flat data, row-major). Element types
 * come from the model; booleans may be written as 0/1 or true/false.
 *
 * ```json
 * { "samples": [
 *   { "input_ids": [[101, 2054, 2003, 102]], "attention_mask": [[1, 1, 1, 1]] }
 * ] }
 * ```
 */
export const INPUTS_FILE_FORMAT = 'JSON: { "samples": [ { "<input name>": [[…nested numbers…]] | { "dims": [...], "data": [...] } } ] }';

function flatten(value: unknown, path: string, file: string): { dims: number[]; data: number[] } {
  if (!Array.isArray(value)) {
    if (typeof value === 'number' || typeof value === 'boolean') return { dims: [], data: [Number(value)] };
    throw new InputError(`${file}: ${path} must be a number array (nested for its shape) or { "dims", "data" }.`, 'E_INPUTS_FILE');
  }
  if (value.length === 0) return { dims: [0], data: [] };
  const parts = value.map((v, i) => flatten(v, `${path}[${i}]`, file));
  const inner = JSON.stringify(parts[0]!.dims);
  if (parts.some((p) => JSON.stringify(p.dims) !== inner)) {
    throw new InputError(`${file}: ${path} is not rectangular (rows of different lengths); pad the rows to one length.`, 'E_INPUTS_FILE');
  }
  return { dims: [value.length, ...parts[0]!.dims], data: parts.flatMap((p) => p.data) };
}

/** Parses and checks an inputs document against the model's inputs (pure). */
export function parseInputsDocument(doc: unknown, specs: readonly InputSpec[], file: string): ProbeSample[] {
  const list = Array.isArray(doc) ? doc : (doc as { samples?: unknown } | null)?.samples;
  if (!Array.isArray(list) || list.length === 0) {
    throw new InputError(`${file} has no samples; write ${INPUTS_FILE_FORMAT}.`, 'E_INPUTS_FILE');
  }
  return list.map((sample, s) => {
    if (!sample || typeof sample !== 'object' || Array.isArray(sample)) {
      throw new InputError(`${file}: samples[${s}] must be an object mapping input names to values.`, 'E_INPUTS_FILE');
    }
    const out: ProbeSample = {};
    for (const spec of specs) {
      const raw = (sample as Record<string, unknown>)[spec.name];
      const path = `samples[${s}].${spec.name}`;
      if (raw === undefined) throw new InputError(`${file}: ${path} is missing; the model needs inputs ${specs.map((x) => x.name).join(', ')}.`, 'E_INPUTS_FILE');
      let dims: number[];
      let data: number[];
      if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
        const r = raw as { dims?: unknown; data?: unknown };
        if (!Array.isArray(r.dims) || !r.dims.every((d) => Number.isInteger(d) && d >= 0) || !Array.isArray(r.data)) {
          throw new InputError(`${file}: ${path} needs "dims" (non-negative integers) and "data" (numbers).`, 'E_INPUTS_FILE');
        }
        dims = r.dims as number[];
        data = (r.data as unknown[]).map(Number);
        const expected = dims.reduce((a, b) => a * b, 1);
        if (data.length !== expected) throw new InputError(`${file}: ${path} has ${data.length} values for dims [${dims.join(', ')}] (${expected} expected).`, 'E_INPUTS_FILE');
      } else {
        ({ dims, data } = flatten(raw, path, file));
      }
      if (data.some((v) => !Number.isFinite(v))) throw new InputError(`${file}: ${path} contains a value that is not a finite number.`, 'E_INPUTS_FILE');
      if (spec.dims && spec.dims.length !== dims.length) {
        throw new InputError(`${file}: ${path} has rank ${dims.length}, but the model's input has rank ${spec.dims.length}.`, 'E_INPUTS_FILE');
      }
      spec.dims?.forEach((d, i) => {
        if (typeof d === 'number' && d !== dims[i]) throw new InputError(`${file}: ${path} dimension ${i} is ${dims[i]}, the model expects ${d}.`, 'E_INPUTS_FILE');
      });
      out[spec.name] = toTensor(spec.type, dims, data);
    }
    return out;
  });
}

/** Reads an `--inputs` file; one clear InputError when it is unreadable or does not fit the model. */
export async function loadInputsFile(file: string, specs: readonly InputSpec[]): Promise<ProbeSample[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new InputError(`${file} cannot be read; check the --inputs path.`, 'E_INPUTS_FILE');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file} is not valid JSON (${(err as Error).message}); write ${INPUTS_FILE_FORMAT}.`, 'E_INPUTS_FILE');
  }
  return parseInputsDocument(doc, specs, file);
}
