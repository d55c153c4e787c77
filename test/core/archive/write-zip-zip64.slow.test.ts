import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openZipSource } from '../../../src/core/archive/open-zip-source.js';
import { writeZip, type ZipInputEntry } from '../../../src/core/archive/write-zip.js';
import { measureBuffer } from '../../../src/core/scan/measure-content.js';
import { predictZipBytes } from '../../../src/core/scan/predict-zip-bytes.js';
import { makeTempDir, python } from './test-helpers.js';

const tmp = makeTempDir('lf-zip64-');
afterAll(() => tmp.cleanup());

describe('writeZip with more than 65,535 entries', () => {
  it('writes zip64 end records that python reads, and reads them back itself', async () => {
    const n = 70_000;
    const entries: ZipInputEntry[] = [];
    for (let i = 0; i < n; i++) {
      const data = Buffer.from(`file ${i}\n`);
      entries.push({ path: `d${i % 100}/f${i}.txt`, type: 'file', mode: 0o644, size: data.length, readAll: async () => data });
    }
    const out = join(tmp.dir, 'many.zip');
    const r = await writeZip(entries, out);
    expect(r.entries).toBe(n + 100);
    expect(statSync(out).size).toBe(r.bytes);
    expect(python('import sys,zipfile;z=zipfile.ZipFile(sys.argv[1]);print(len(z.infolist()), z.testzip())', out).trim()).toBe(`${n + 100} None`);
    const src = await openZipSource(out);
    expect((await src.entries()).length).toBe(n + 100);
    await src.close();
    const files = [];
    for (const e of entries) {
      const data = await (e.readAll as () => Promise<Buffer>)();
      files.push({ path: e.path, bytes: e.size, compressedBytes: (await measureBuffer(data, { hash: false, compress: true })).zipBytes });
    }
    expect(predictZipBytes(files)).toBe(r.bytes);
  });
});
