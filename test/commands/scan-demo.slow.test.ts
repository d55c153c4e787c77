import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoBundle } from '../../src/core/demo/ensure-demo-bundle.js';
import { runCli } from '../helpers/run-cli.js';

// Acceptance for the foundation: a folder holding a full onnxruntime-node 1.30 install plus a
// 265 MB model, measured against Lambda, cross-checked with find(1) and zip(1).
describe('scan on onnxruntime-node + a 265 MB model', () => {
  let bundle: string;
  let scratch: string;
  let doc: any;

  beforeAll(async () => {
    bundle = (await ensureDemoBundle()).dir;
    scratch = await mkdtemp(join(tmpdir(), 'lf-demo-scan-'));
    const run = await runCli(['scan', bundle, '--target', 'zip-direct', '--json'], { env: { LAMBDAFIT_CACHE_DIR: join(scratch, 'cache') } });
    expect(run.stderr).not.toContain('internal error');
    expect(run.code).toBe(1);
    doc = JSON.parse(run.stdout);
  }, 600_000);
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('reports unzippedBytes equal to the sum of regular file sizes', () => {
    const sizes = execFileSync('find', [bundle, '-type', 'f', '-printf', '%s\n'], { maxBuffer: 64 * 2 ** 20 }).toString().trim().split('\n');
    expect(doc.bundle.unzippedBytes).toBe(sizes.reduce((n, s) => n + Number(s), 0));
    expect(doc.bundle.files).toBe(sizes.length);
  });

  it('predicts the zipped size within 0.5% of zip -r -6', async () => {
    const out = join(scratch, 'peer.zip');
    execFileSync('zip', ['-r', '-6', '-q', out, '.'], { cwd: bundle });
    const peer = (await stat(out)).size;
    expect(Math.abs(doc.bundle.zippedBytes - peer) / peer).toBeLessThan(0.005);
  }, 300_000);

  it('finds at least 230 MB of other platforms\' binaries for x86_64', () => {
    const foreign = doc.candidates.filter((c: any) => c.ruleSet === 'native-foreign');
    const bytes = foreign.reduce((n: number, c: any) => n + c.bytes, 0);
    expect(bytes).toBeGreaterThanOrEqual(230 * 2 ** 20);
    const paths: string[] = foreign.flatMap((c: any) => c.items.map((i: any) => i.path));
    expect(paths.some((p) => p.includes('/linux/x64/'))).toBe(false);
    expect(paths.some((p) => p.includes('/darwin/'))).toBe(true);
    expect(paths.some((p) => p.includes('/win32/'))).toBe(true);
    expect(paths.some((p) => p.includes('/linux/arm64/'))).toBe(true);
    const binaries = doc.binaries.map((b: any) => `${b.os}-${b.arch}`);
    expect(binaries).toEqual(expect.arrayContaining(['linux-x64', 'linux-arm64', 'darwin-arm64', 'win32-x64']));
  });

  it('lists the duplicated darwin dylibs among the duplicates', () => {
    const group = doc.duplicates.find((g: any) => g.paths.some((p: string) => p.endsWith('darwin/arm64/libonnxruntime.1.dylib')));
    expect(group.paths).toEqual(expect.arrayContaining([expect.stringMatching(/darwin\/arm64\/libonnxruntime\.1\.30\.0\.dylib$/)]));
  });

  it('exceeds zip-direct and zip-s3 with AWS\'s messages', async () => {
    const zipped = doc.limits.find((l: any) => l.id === 'zipped-size');
    const unzipped = doc.limits.find((l: any) => l.id === 'unzipped-size');
    expect(zipped).toMatchObject({ applies: true, fits: false, message: 'Zipped size must be smaller than 52428800 bytes' });
    expect(unzipped).toMatchObject({ applies: true, fits: false, message: 'Unzipped size must be smaller than 262144000 bytes' });
    const s3 = await runCli(['scan', bundle, '--target', 'zip-s3', '--json']);
    expect(s3.code).toBe(1);
    const s3doc = JSON.parse(s3.stdout);
    expect(s3doc.limits.find((l: any) => l.id === 'unzipped-size')).toMatchObject({ applies: true, fits: false });
    expect(s3doc.limits.find((l: any) => l.id === 'zipped-size').applies).toBe(false);
  });
});
