import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanBundle } from '../../../src/core/scan/scan-bundle.js';

const dir = mkdtempSync(join(tmpdir(), 'lambdafit-bigcache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the scan of big files', () => {
  it('takes a big file’s zip size from the content cache when the same bytes were measured under another path', async () => {
    const a = join(dir, 'a');
    mkdirSync(join(a, 'model'), { recursive: true });
    const big = Buffer.alloc(9 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    writeFileSync(join(a, 'model', 'weights.bin'), big);
    const cacheDir = join(dir, 'cache');
    const first = await scanBundle({ path: a, cacheDir });
    const file = first.code.files.find((f) => f.path === 'model/weights.bin')!;
    expect(file.compressedBytes).toBeGreaterThan(0);

    // Mark the content cache's entry: a copy scanned under another path reports the mark, so its
    // size came from the cache, not from deflating the 9 MiB again.
    const scanDir = join(cacheDir, 'scan');
    const name = readdirSync(scanDir).find((n) => n.startsWith('deflate-'))!;
    const cache = JSON.parse(readFileSync(join(scanDir, name), 'utf8'));
    expect(cache.sizes[file.hash!]).toBe(file.compressedBytes);
    cache.sizes[file.hash!] = 12_345;
    writeFileSync(join(scanDir, name), JSON.stringify(cache));
    const b = join(dir, 'b');
    cpSync(a, b, { recursive: true });
    const copy = await scanBundle({ path: b, cacheDir });
    expect(copy.code.files.find((f) => f.path === 'model/weights.bin')).toMatchObject({ hash: file.hash, compressedBytes: 12_345 });

    // Without the cache the copy is measured afresh, to the same size as the original.
    const fresh = await scanBundle({ path: b, cacheDir: false });
    expect(fresh.code.files.find((f) => f.path === 'model/weights.bin')?.compressedBytes).toBe(file.compressedBytes);
  });
});
