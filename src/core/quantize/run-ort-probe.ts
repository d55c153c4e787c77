import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError } from '../errors.js';
import { packageRoot } from '../package-root.js';
import { ORT_TYPED_ARRAYS } from './ort-typed-arrays.mjs';

/** Element types the probe exchanges (onnxruntime-node's tensor type names). */
export type ProbeType = 'float32' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'uint16' | 'bool' | 'float16';

/** One tensor fed to or read from a model. */
export interface ProbeTensor {
  type: ProbeType;
  dims: number[];
  data: Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array;
}

/** One inference's inputs, by input name. */
export type ProbeSample = Record<string, ProbeTensor>;

/** What running one model over the samples measured. */
export interface ProbeMeasurement {
  /** Outputs per sample, by output name. */
  outputs: Array<Record<string, ProbeTensor>>;
  /** Session creation time. */
  createMs: number;
  /** Per inference: wall-clock median, p90 and min, and the median CPU time of all threads. */
  latency: { medianMs: number; p90Ms: number; minMs: number; cpuMs: number; runs: number };
  /** Resident set after the session was created. */
  rssAfterCreateMB: number;
  /** Peak resident set of the probe process (VmHWM), Node's own ~45 MB included. */
  peakRssMB: number;
}

/** Signal and error energy of each compared tensor, summed over the samples. */
export type TensorErrors = Record<string, { signal: number; noise: number }>;

/** The probe could not run a model (onnxruntime refused it, or the process died). */
export class ProbeError extends Error {}

/** Options of a probe run. */
export interface ProbeOptions {
  /** onnxruntime intra-op threads (default: onnxruntime's choice). */
  threads?: number;
  /** Timed runs at least (samples are repeated when fewer). Default 10. */
  minTimedRuns?: number;
  /** onnxruntime graph optimization level (default `all`, as applications run it). */
  optimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  signal?: AbortSignal;
}


/** Where the child script lives: next to this module in sources, under the package root when bundled. */
function probeScript(): string {
  return join(packageRoot(), 'src', 'core', 'quantize', 'ort-probe.mjs');
}

function ortEntry(): string {
  return createRequire(join(packageRoot(), 'package.json')).resolve('onnxruntime-node');
}

function serializeSamples(samples: readonly ProbeSample[]): { manifest: unknown[]; bytes: Buffer } {
  const chunks: Buffer[] = [];
  let offset = 0;
  const manifest = samples.map((s) => {
    const entry: Record<string, unknown> = {};
    for (const [name, t] of Object.entries(s)) {
      const b = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      entry[name] = { type: t.type, dims: t.dims, offset, length: b.length };
      chunks.push(b);
      offset += b.length;
    }
    return entry;
  });
  return { manifest, bytes: Buffer.concat(chunks) };
}

async function runChild(request: Record<string, unknown>, dir: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
  const requestFile = join(dir, 'request.json');
  await writeFile(requestFile, JSON.stringify({ ...request, ortEntry: ortEntry() }));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [probeScript(), requestFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', reject);
    child.on('close', (code, sig) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return reject(new CancelledError());
      const line = out.trim().split('\n').pop() ?? '';
      let parsed: Record<string, unknown> | undefined;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        parsed = undefined;
      }
      if (parsed?.ok) return resolve(parsed);
      const why = (parsed?.error as string | undefined) ?? (sig ? `killed by ${sig}` : `exited with code ${code}`);
      const detail = err.trim().split('\n').filter((l) => !/^\s*at /.test(l)).slice(-3).join(' ');
      reject(new ProbeError(detail && !parsed ? `${why}: ${detail}` : why));
    });
  });
}

/** Runs one model over the samples in a child process: outputs, latency and memory. */
export async function measureModel(modelPath: string, samples: readonly ProbeSample[], opts: ProbeOptions = {}): Promise<ProbeMeasurement> {
  const dir = await mkdtemp(join(tmpdir(), 'lambdafit-probe-'));
  try {
    const { manifest, bytes } = serializeSamples(samples);
    await writeFile(join(dir, 'inputs.bin'), bytes);
    const outputFile = join(dir, 'outputs.bin');
    const res = await runChild(
      { mode: 'measure', model: modelPath, inputsFile: join(dir, 'inputs.bin'), samples: manifest, outputFile, threads: opts.threads, minTimedRuns: opts.minTimedRuns, optimizationLevel: opts.optimizationLevel },
      dir,
      opts.signal,
    );
    const raw = await readFile(outputFile);
    const outputs: Array<Record<string, ProbeTensor>> = samples.map(() => ({}));
    for (const o of res.outputs as Array<{ sample: number; name: string; type: ProbeType; dims: number[]; offset: number; length: number }>) {
      const Ctor = ORT_TYPED_ARRAYS[o.type] ?? Uint8Array;
      const copy = new Uint8Array(o.length);
      copy.set(raw.subarray(o.offset, o.offset + o.length));
      outputs[o.sample]![o.name] = { type: o.type, dims: o.dims, data: new Ctor(copy.buffer) };
    }
    return {
      outputs,
      createMs: res.createMs as number,
      latency: res.latency as ProbeMeasurement['latency'],
      rssAfterCreateMB: res.rssAfterCreateMB as number,
      peakRssMB: res.peakRssMB as number,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs a reference and a candidate model (both exposing `tensors` as outputs) in one child and
 * sums, per tensor, the signal energy ‖x‖² and the error energy ‖x−y‖² over the samples.
 */
export async function compareTensors(referencePath: string, candidatePath: string, samples: readonly ProbeSample[], tensors: string[], opts: ProbeOptions = {}): Promise<TensorErrors> {
  const dir = await mkdtemp(join(tmpdir(), 'lambdafit-probe-'));
  try {
    const { manifest, bytes } = serializeSamples(samples);
    await writeFile(join(dir, 'inputs.bin'), bytes);
    const res = await runChild(
      { mode: 'sqnr', reference: referencePath, candidate: candidatePath, inputsFile: join(dir, 'inputs.bin'), samples: manifest, tensors, threads: opts.threads, optimizationLevel: opts.optimizationLevel },
      dir,
      opts.signal,
    );
    return res.tensors as TensorErrors;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
