import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { DeflatePool } from '../../../src/core/archive/deflate-pool.js';
import { deflateChunksForZip, deflatedBytesSync, deflateForZip, isNativeBinary, PIECE_BYTES, zlibPiece } from '../../../src/core/archive/zip-deflate.js';
import { makeTempDir } from './test-helpers.js';

const tmp = makeTempDir('lf-pool-');
afterAll(() => tmp.cleanup());
const ls = readFileSync('/bin/ls');

describe('DeflatePool and the zip deflate front door', () => {
  it('compresses binary content on worker threads, split into pieces, to one valid stream', async () => {
    const big = Buffer.concat(Array.from({ length: Math.ceil((2.5 * PIECE_BYTES) / ls.length) }, (_, i) => Buffer.concat([ls, Buffer.from([i])])));
    const whole = await deflateForZip(big);
    expect(Buffer.compare(inflateRawSync(whole), big)).toBe(0);
    // Streaming in odd-sized chunks gives the very same bytes.
    async function* odd(): AsyncGenerator<Buffer> {
      for (let at = 0; at < big.length; at += 77_777) yield big.subarray(at, at + 77_777);
    }
    const parts: Buffer[] = [];
    const r = await deflateChunksForZip(odd(), (b) => void parts.push(b));
    expect(Buffer.compare(Buffer.concat(parts), whole)).toBe(0);
    expect(r).toEqual({ inputBytes: big.length, outputBytes: whole.length });
  });

  it('sends text to Node zlib and binary to the engine, both readable by inflate', async () => {
    const text = Buffer.from('plain text without NUL bytes\n'.repeat(1000));
    expect(Buffer.compare(inflateRawSync(await deflateForZip(text)), text)).toBe(0);
    const pool = new DeflatePool(1);
    const out = await pool.run(null, ls, true);
    expect(Buffer.compare(inflateRawSync(out), ls)).toBe(0);
    await pool.close();
  });

  it('picks the engine by native magic, and every path to a size agrees: whole, streamed, on this thread, in the workers', async () => {
    const weights = Buffer.alloc(2.5 * PIECE_BYTES);
    for (let i = 0; i < weights.length; i += 4) weights.writeFloatLE(Math.sin(i) * (i % 7), i); // NUL-rich, not native
    const small = weights.subarray(0, 300_000);
    const text = Buffer.from('const answer = 42; // not a binary\n'.repeat(40_000));
    const cases: [string, Buffer][] = [['ELF /bin/ls', ls], ['weights', weights], ['small weights', small], ['text', text], ['empty', Buffer.alloc(0)]];
    for (const [name, data] of cases) {
      const whole = await deflateForZip(data);
      expect(Buffer.compare(inflateRawSync(whole), data), name).toBe(0);
      async function* chunks(): AsyncGenerator<Buffer> {
        for (let at = 0; at < data.length; at += 123_457) yield data.subarray(at, at + 123_457);
      }
      const streamed = await deflateChunksForZip(chunks(), () => {});
      expect(streamed.outputBytes, name).toBe(whole.length);
      expect(deflatedBytesSync(data), name).toBe(whole.length);
    }
    // Native code goes to lambdafit's engine (not Node's zlib), other data to Node's zlib.
    expect(isNativeBinary(ls)).toBe(true);
    expect(isNativeBinary(weights)).toBe(false);
    expect((await deflateForZip(ls)).length).not.toBe((await zlibPiece(null, ls, true)).length);
    expect((await deflateForZip(small)).length).toBe((await zlibPiece(null, small, true)).length);
    // The workers' whole-file measure gives the same sizes.
    const dir = tmp.dir;
    writeFileSync(join(dir, 'ls'), ls);
    writeFileSync(join(dir, 'small'), small);
    const pool = new DeflatePool(1);
    const measured = await pool.measureFiles([
      { path: join(dir, 'ls'), size: ls.length },
      { path: join(dir, 'small'), size: small.length, headBytes: 4 },
      { path: join(dir, 'missing'), size: 1 },
    ]);
    await pool.close();
    expect(measured[0]?.deflatedBytes).toBe((await deflateForZip(ls)).length);
    expect(measured[1]?.deflatedBytes).toBe((await deflateForZip(small)).length);
    expect(measured[1]?.head).toEqual(new Uint8Array(small.subarray(0, 4)));
    expect(measured[2]).toEqual({ error: 'ENOENT' });
  });

  it('still works from a minified bundle with keep-names (helper renamed by esbuild)', async () => {
    const entry = join(tmp.dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { deflateForZip } from ${JSON.stringify(resolve('src/core/archive/zip-deflate.ts'))};
import { inflateRawSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
const d = readFileSync('/bin/ls');
const c = await deflateForZip(d);
console.log(Buffer.compare(inflateRawSync(c), d) === 0 ? 'ok' : 'bad');`,
    );
    const outfile = join(tmp.dir, 'bundle.mjs');
    await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', minify: true, keepNames: true, logLevel: 'silent' });
    expect(execFileSync(process.execPath, [outfile], { encoding: 'utf8' }).trim()).toBe('ok');
  });
});
