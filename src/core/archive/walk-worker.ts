import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/** Entry types as the walk worker encodes them. */
export const WALK_DIR = 0;
export const WALK_FILE = 1;
export const WALK_SYMLINK = 2;

/** Numbers per entry in `WalkResult.nums`: size, mode, mtimeMs, ctimeMs, ino. */
export const WALK_NUMS = 5;

/** Names of one directory still to be lstat'ed: big directories are split so both threads share them. */
export interface WalkChunk {
  /** The directory, relative to the root (`''` for the root). */
  rel: string;
  /**
   * At most `WALK_CHUNK` names joined by NUL, which no file name can hold: one string crosses
   * threads as one copy, where an array of strings is cloned string by string.
   */
  names: string;
}

/** Most names lstat'ed as one unit of work: a directory of 20,000 files must not land on one thread. */
export const WALK_CHUNK = 512;

/** The entries of a batch of work (directories listed one level each, and chunks), column-wise (cheap to pass between threads). */
export interface WalkResult {
  /** Paths relative to the root, joined by NUL (one copy between threads); as many as `types`. */
  paths: string;
  /** One of WALK_DIR, WALK_FILE, WALK_SYMLINK per path. */
  types: Uint8Array;
  /** WALK_NUMS numbers per path. */
  nums: Float64Array;
  /** Symlink targets by index into `paths`. */
  links: Record<number, string>;
  /** Names of big directories listed here but not lstat'ed yet, handed back to be shared out. */
  leftovers: WalkChunk[];
  /** The first problem met; the caller turns it into the same error a walk on the main thread gives. */
  error?: { path: string; code: string };
}

// Plain JavaScript run with `eval: true`, so it works the same from sources and from the bundle.
// It mirrors `walkFolder`'s own loop; the main thread turns its error codes into the same errors.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { lstatSync, readdirSync, readlinkSync } = require('node:fs');
function walk(root, dirs, chunks) {
  const paths = [];
  const types = [];
  const nums = [];
  const links = {};
  const leftovers = [];
  const done = (error) => ({ paths: paths.join('\\0'), types: Uint8Array.from(types), nums: Float64Array.from(nums), links, leftovers, error });
  const statNames = (rel, names) => {
    for (const name of names) {
      const path = rel === '' ? name : rel + '/' + name;
      if (name.includes('\\\\')) return { path, code: 'EBACKSLASH' };
      let st;
      try {
        st = lstatSync(root + '/' + path);
      } catch (e) {
        if (e && e.code === 'ENOENT') continue;
        return { path: root + '/' + path, code: (e && e.code) || String(e) };
      }
      let type;
      if (st.isDirectory()) type = ${WALK_DIR};
      else if (st.isFile()) type = ${WALK_FILE};
      else if (st.isSymbolicLink()) {
        type = ${WALK_SYMLINK};
        links[paths.length] = readlinkSync(root + '/' + path);
      } else return { path: root + '/' + path, code: 'ESPECIAL' };
      paths.push(path);
      types.push(type);
      nums.push(type === ${WALK_FILE} ? st.size : 0, st.mode & 0o7777, st.mtimeMs, st.ctimeMs, st.ino);
    }
    return undefined;
  };
  for (const c of chunks) {
    const error = statNames(c.rel, c.names.split('\\0'));
    if (error) return done(error);
  }
  for (const rel of dirs) {
    let names;
    try {
      names = readdirSync(root + '/' + rel);
    } catch (e) {
      if (e && e.code === 'ENOENT') continue;
      return done({ path: root + '/' + rel, code: (e && e.code) || String(e) });
    }
    if (names.length > ${WALK_CHUNK}) {
      for (let i = ${WALK_CHUNK}; i < names.length; i += ${WALK_CHUNK}) leftovers.push({ rel, names: names.slice(i, i + ${WALK_CHUNK}).join('\\0') });
      names = names.slice(0, ${WALK_CHUNK});
    }
    const error = statNames(rel, names);
    if (error) return done(error);
  }
  return done(undefined);
}
parentPort.once('message', ({ port, flag }) => {
  port.on('message', ({ root, dirs, chunks }) => {
    const out = walk(root, dirs, chunks);
    port.postMessage(out, [out.types.buffer, out.nums.buffer]);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });
});
`;

/**
 * A helper thread for `walkFolder`: it lists (readdir + lstat) batches of directories handed to
 * it while the main thread lists others, so listing a big tree uses two cores. One level at a
 * time, so the main thread gets the subdirectories back and the two stay balanced to the end. The main thread polls for results with
 * `receiveMessageOnPort` between directories, without yielding to the event loop, and sleeps on
 * a shared flag when it has nothing left but the helper's answer. Idle, the thread is unref'd.
 */
export class WalkWorker {
  private static instance: WalkWorker | undefined;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private busy = false;

  private constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.unref();
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.port.unref();
    this.worker.postMessage({ port: port2, flag: this.flag }, [port2]);
  }

  /** The process-wide helper thread, started on first use. */
  static shared(): WalkWorker {
    return (WalkWorker.instance ??= new WalkWorker());
  }

  /** Whether a batch is out. */
  get pending(): boolean {
    return this.busy;
  }

  /**
   * Hands the helper directories (relative to `root`, already listed themselves) to list, one
   * level each, and chunks of names to lstat.
   */
  start(root: string, dirs: string[], chunks: WalkChunk[]): void {
    if (this.busy) throw new Error('walk worker is busy');
    this.busy = true;
    Atomics.store(this.flag, 0, 0);
    this.worker.ref();
    this.port.postMessage({ root, dirs, chunks });
  }

  /** The batch's result if it is ready; with `wait`, blocks until it is. */
  poll(wait: boolean): WalkResult | undefined {
    if (!this.busy) return undefined;
    let got = receiveMessageOnPort(this.port);
    while (!got && wait) {
      Atomics.wait(this.flag, 0, 0, 100);
      got = receiveMessageOnPort(this.port);
    }
    if (!got) return undefined;
    this.busy = false;
    this.worker.unref();
    return got.message as WalkResult;
  }
}

