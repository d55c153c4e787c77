import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openBundleSource } from '../../../src/core/archive/open-bundle-source.js';
import { writeZipFromSource } from '../../../src/core/archive/write-zip-from-source.js';
import { scanBundle } from '../../../src/core/scan/scan-bundle.js';
import { makeTempDir, run } from '../archive/test-helpers.js';

const ORT = resolve('node_modules/onnxruntime-node');
const tmp = makeTempDir('lf-scan-ort-');
afterAll(() => tmp.cleanup());

describe('scanBundle on the real onnxruntime-node package (288 MB, ELF/Mach-O/PE binaries)', () => {
  it('sums sizes like find, predicts writeZip exactly, stays within 0.5 % of `zip -r -6`, finds the duplicate dylibs', async () => {
    const index = await scanBundle({ path: ORT, cacheDir: false });
    const findSum = run('find', [ORT, '-type', 'f', '-printf', '%s\\n'])
      .trim()
      .split('\n')
      .reduce((n, s) => n + Number(s), 0);
    expect(index.code.unzippedBytes).toBe(findSum);

    const ours = join(tmp.dir, 'ours.zip');
    const written = await writeZipFromSource(await openBundleSource(ORT), ours);
    expect(index.code.zippedBytes).toBe(written.bytes);
    expect(statSync(ours).size).toBe(written.bytes);
    expect(run('unzip', ['-tq', ours])).toMatch(/No errors/);

    const infozip = join(tmp.dir, 'infozip.zip');
    run('zip', ['-r', '-6', '-q', infozip, '.'], ORT);
    const peer = statSync(infozip).size;
    expect(Math.abs(index.code.zippedBytes - peer) / peer).toBeLessThan(0.005);

    const dylibs = index.duplicates.find((g) => g.paths.some((p) => p.endsWith('libonnxruntime.1.30.0.dylib')));
    expect(dylibs?.paths).toEqual(['bin/napi-v6/darwin/arm64/libonnxruntime.1.30.0.dylib', 'bin/napi-v6/darwin/arm64/libonnxruntime.1.dylib']);
    const linux = index.code.files.filter((f) => f.native?.os === 'linux');
    expect(linux.map((f) => f.native?.arch).sort()).toEqual(['arm64', 'arm64', 'x64', 'x64']);
    expect(linux.every((f) => f.native?.libc === 'glibc')).toBe(true);
  }, 900_000);
});
