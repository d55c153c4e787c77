import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createDeflateBlockWriter } from './create-deflate-block-writer.js';
import { createDeflateEngine } from './create-deflate-engine.js';

interface Job {
  id: number;
  dict: Uint8Array | null;
  data: Uint8Array;
  final: boolean;
  resolve: (out: Uint8Array) => void;
  reject: (err: Error) => void;
}

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
parentPort.on('message', (m) => {
  try {
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
      this.queue.push({ id: this.nextId++, dict, data, final, resolve, reject });
      this.pump();
    });
  }

  private spawn(): Slot {
    const worker = new Worker(workerSource(), { eval: true });
    const slot: Slot = { worker };
    worker.on('message', (m: { id: number; out?: Uint8Array; error?: string }) => {
      const job = slot.job;
      slot.job = undefined;
      if (job) {
        if (m.error !== undefined || !m.out) job.reject(new Error(`deflate worker failed: ${m.error}`));
        else job.resolve(m.out);
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
      // Structured clone would copy a view's whole ArrayBuffer (a 265 MB file for a 1 MiB piece):
      // copy just the viewed bytes into fresh buffers and transfer those.
      const dict = job.dict ? new Uint8Array(job.dict) : null;
      const data = new Uint8Array(job.data);
      const transfer = dict ? [data.buffer, dict.buffer] : [data.buffer];
      slot.worker.postMessage({ id: job.id, dict, data, final: job.final }, transfer);
    }
    for (const s of this.slots) if (!s.job) s.worker.unref();
  }

  /** Stops the workers (pending jobs are rejected). */
  async close(): Promise<void> {
    for (const job of this.queue.splice(0)) job.reject(new Error('deflate pool closed'));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }
}
