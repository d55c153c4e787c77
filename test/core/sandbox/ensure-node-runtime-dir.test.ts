import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureNodeRuntimeDir } from '../../../src/core/sandbox/ensure-node-runtime-dir.js';
import { packageRoot } from '../../../src/core/package-root.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'lambdafit-runtime-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('ensureNodeRuntimeDir', () => {
  it("builds lambdafit's runtime plus exactly the SDK closure once, under the cache folder", async () => {
    const dir = await ensureNodeRuntimeDir({ cacheDir });
    expect(dir.startsWith(join(cacheDir, 'runtime', 'node-'))).toBe(true);
    expect(existsSync(join(dir, 'bootstrap'))).toBe(true);
    expect(statSync(join(dir, 'bootstrap')).mode & 0o111).not.toBe(0);
    expect(existsSync(join(dir, 'index.mjs'))).toBe(true);
    expect(existsSync(join(dir, 'node_modules', '@aws-sdk', 'client-s3', 'package.json'))).toBe(true);
    expect(existsSync(join(dir, 'node_modules', 'onnxruntime-node'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules', 'zod'))).toBe(false);
    // Hard links where the file system allows: the same inode as lambdafit's own copy.
    const own = join(packageRoot(), 'node_modules', '@aws-sdk', 'client-s3', 'package.json');
    const linked = join(dir, 'node_modules', '@aws-sdk', 'client-s3', 'package.json');
    if (statSync(own).dev === statSync(cacheDir).dev) expect(statSync(linked).ino).toBe(statSync(own).ino);
    expect(await ensureNodeRuntimeDir({ cacheDir })).toBe(dir);
  });

  it('falls back to the plain runtime folder when the SDK is not installed', async () => {
    const source = join(packageRoot(), 'sandbox', 'node');
    expect(await ensureNodeRuntimeDir({ cacheDir, nodeModules: join(cacheDir, 'nowhere', 'node_modules') })).toBe(source);
  });
});
