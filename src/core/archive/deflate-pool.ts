import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createDeflateBlockWriter } from './create-deflate-block-writer.js';
import { createDeflateEngine } from './create-deflate-engine.js';
import { isNativeBinary, PIECE_BYTES, ZIP_DEFLATE_OPTIONS } from './zip-deflate.js';

/** What a worker measured of one whole file (see `DeflatePool.measureFiles`). */
export interface WorkerFileMeasure {
  /** sha256, hex; absent when the file could not be read or changed size. */
  hash?: string;
  /** Deflated size exactly as `deflateForZip` makes it (before the stored/deflated choice). */
  deflatedBytes?: number;
  /** errno code when reading failed, or `ESIZE` when the file's size differs from the listing's. */
  error?: string;
  /** The first `headBytes` bytes, when asked for. */
  head?: Uint8Array;
}

type Job =
  | { id: number; kind: 'piece'; dict: Uint8Array | null; data: Uint8Array; final: boolean; resolve: (out: Uint8Array) => void; reject: (err: Error) => void }
  | { id: number; kind: 'files'; paths: string[]; sizes: number[]; headBytes: number[]; resolve: (out: WorkerFileMeasure[]) => void; reject: (err: Error) => void };

interface Slot {
  worker: Worker;
  job?: Job;
}

// The engine's own source (and its block writer's) runs in each worker, eval'd as CommonJS, so
// this works the same from TypeScript sources under vitest/tsx and from an esbuild bundle. A
// transpiler with "keep names" wraps inner functions in a helper (`__name`, or a minified name);
// the probe function in the block writer reveals that name, and the worker defines it.
function workerSource(): string {
  const writer = createDeflateBlockWriter.toString();
  const helper = /([A-Za-z_$][\w$]*)\(\s*\(\)\s*=>\s*0\s*,\s*["']deflateHelperProbe["']\s*\)/.exec(writer)?.[1] ?? '__name';
  return `
const ${helper} = (f) => f;
const { parentPort } = require('node:worker_threads');
const createBlockWriter = (${writer});
const engine = (${createDeflateEngine.toString()})(createBlockWriter);
const { readFileSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { deflateRawSync } = require('node:zlib');
const ZLIB = ${JSON.stringify({ ...ZIP_DEFLATE_OPTIONS })};
function measureFile(path, size, headBytes) {
  let data;
  try {
    data = readFileSync(path);
  } catch (e) {
    return { error: (e && e.code) || 'EIO' };
  }
  if (data.length !== size) return { error: 'ESIZE' };
  const hash = createHash('sha256').update(data).digest('hex');
  const native = (${isNativeBinary.toString()})(data);
  const deflatedBytes = native ? engine.compress(null, data, true).length : deflateRawSync(data, ZLIB).length;
  // A fresh copy: a view would clone its whole (possibly pooled) ArrayBuffer.
  return headBytes > 0 ? { hash, deflatedBytes, head: new Uint8Array(data.subarray(0, headBytes)) } : { hash, deflatedBytes };
}
parentPort.on('message', (m) => {
  try {
    if (m.kind === 'files') {
      parentPort.postMessage({ id: m.id, out: m.paths.map((p, i) => measureFile(p, m.sizes[i], m.headBytes[i])) });
      return;
    }
    const out = engine.compress(m.dict, m.data, m.final);
    parentPort.postMessage({ id: m.id, out }, [out.buffer]);
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String((e && e.stack) || e) });
  }
});
`;
}

/**
 * Runs `createDeflateEngine` jobs on worker threads, one per core, so compression uses every core
 * while the main thread reads and hashes. Idle workers are unref'd and do not keep the process
 * alive. Inputs are copied (only the bytes in view) and the copies transferred.
 */
export class DeflatePool {
  private static instance: DeflatePool | undefined;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;

  /** @param size number of worker threads. */
  constructor(private readonly size: number) {}

  /** The process-wide pool (one worker per available core). */
  static shared(): DeflatePool {
    return (DeflatePool.instance ??= new DeflatePool(Math.max(1, availableParallelism())));
  }

  /** Compresses one piece on a worker; see `DeflateEngine.compress`. */
  run(dict: Uint8Array | null, data: Uint8Array, final: boolean): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, kind: 'piece', dict, data, final, resolve, reject });
      this.pump();
    });
  }

  /**
   * Reads whole files on a worker and returns each one's sha256 and deflated size — the same
   * bytes `deflateForZip` produces, for files of at most `PIECE_BYTES` (one piece).
   * A scan of many small files does its reading, hashing and deflating off the main thread with
   * synchronous calls, which cost far less per file than the promise-based ones.
   */
  measureFiles(files: readonly { path: string; size: number; headBytes?: number }[]): Promise<WorkerFileMeasure[]> {
    for (const f of files) if (f.size > PIECE_BYTES) throw new RangeError(`measureFiles takes files of at most ${PIECE_BYTES} bytes: ${f.path}`);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, kind: 'files', paths: files.map((f) => f.path), sizes: files.map((f) => f.size), headBytes: files.map((f) => f.headBytes ?? 0), resolve, reject });
      this.pump();
    });
  }

  private spawn(): Slot {
    const worker = new Worker(workerSource(), { eval: true });
    const slot: Slot = { worker };
    worker.on('message', (m: { id: number; out?: Uint8Array | WorkerFileMeasure[]; error?: string }) => {
      const job = slot.job;
      slot.job = undefined;
      if (job) {
        if (m.error !== undefined || !m.out) job.reject(new Error(`deflate worker failed: ${m.error}`));
        else if (job.kind === 'files') job.resolve(m.out as WorkerFileMeasure[]);
        else job.resolve(m.out as Uint8Array);
      }
      this.pump();
    });
    worker.on('error', (err) => {
      const job = slot.job;
      slot.job = undefined;
      this.slots.splice(this.slots.indexOf(slot), 1);
      job?.reject(err);
      this.pump();
    });
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) break;
      const job = this.queue.shift() as Job;
      slot.job = job;
      slot.worker.ref(); // a busy worker must keep the process alive until it answers
      if (job.kind === 'files') {
        slot.worker.postMessage({ id: job.id, kind: 'files', paths: job.paths, sizes: job.sizes, headBytes: job.headBytes });
        continue;
      }
      // Structured clone would copy a view's whole ArrayBuffer (a 265 MB file for a 1 MiB piece):
      // copy just the viewed bytes into fresh buffers and transfer those.
      const dict = job.dict ? new Uint8Array(job.dict) : null;
      const data = new Uint8Array(job.data);
      const transfer = dict ? [data.buffer, dict.buffer] : [data.buffer];
      slot.worker.postMessage({ id: job.id, kind: 'piece', dict, data, final: job.final }, transfer);
    }
    for (const s of this.slots) if (!s.job) s.worker.unref();
  }

  /** Stops the workers (pending jobs are rejected). */
  async close(): Promise<void> {
    for (const job of this.queue.splice(0)) job.reject(new Error('deflate pool closed'));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }
}
