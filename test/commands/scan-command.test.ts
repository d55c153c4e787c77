import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

/** A small Node bundle with the files every cleaner argues about. */
async function makeBundle(dir: string): Promise<void> {
  const files: Record<string, string> = {
    'index.js': "exports.handler = async () => require('aws-sdk-lite/licensemanager').ok;\n",
    'package.json': '{"name":"fn","version":"1.0.0"}\n',
    'node_modules/aws-sdk-lite/package.json': '{"name":"aws-sdk-lite","version":"1.0.0"}\n',
    'node_modules/aws-sdk-lite/licensemanager.js': 'exports.ok = true;\n'.repeat(50),
    'node_modules/aws-sdk-lite/LICENSE': 'MIT License\n'.repeat(40),
    'node_modules/aws-sdk-lite/README.md': '# readme\n'.repeat(200),
    'node_modules/aws-sdk-lite/index.d.ts': 'export declare const ok: boolean;\n'.repeat(30),
    'node_modules/aws-sdk-lite/index.js.map': '{"version":3}'.repeat(100),
    'node_modules/aws-sdk-lite/test/a.test.js': 'test();\n'.repeat(100),
    'node_modules/yaml/package.json': '{"name":"yaml","version":"2.0.0"}\n',
    'node_modules/yaml/dist/doc/Document.js': 'module.exports = class Document {};\n'.repeat(20),
    'node_modules/lodash.map/package.json': '{"name":"lodash.map","version":"4.0.0"}\n',
    'node_modules/lodash.map/index.js': 'module.exports = Array.prototype.map;\n'.repeat(20),
  };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

describe('lambdafit scan / check (CLI)', () => {
  let dir: string;
  let bundle: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lf-scan-cli-'));
    bundle = join(dir, 'fn');
    await makeBundle(bundle);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints the documented JSON document and exits 0 when the bundle fits', async () => {
    const run = await runCli(['scan', bundle, '--json', '--no-cache']);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.bundle.files).toBe(13);
    expect(doc.bundle.unzippedBytes).toBeGreaterThan(0);
    expect(doc.bundle.zippedBytes).toBeGreaterThan(0);
    for (const l of doc.limits) expect(l).toHaveProperty('fits');
    const unzipped = doc.limits.find((l: { id: string }) => l.id === 'unzipped-size');
    expect(unzipped).toMatchObject({ limitBytes: 262_144_000, usedBytes: doc.bundle.unzippedBytes, fits: true });
    for (const c of doc.candidates) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(['ruleId', 'ruleSet', 'risk', 'files', 'bytes', 'zippedBytes']));
    }
    const removed = doc.candidates.flatMap((c: { items: { path: string }[] }) => c.items.map((i) => i.path));
    expect(removed).toContain('node_modules/aws-sdk-lite/README.md');
    expect(removed).toContain('node_modules/aws-sdk-lite/test/a.test.js');
    // The lessons from other cleaners' breakages.
    expect(removed).not.toContain('node_modules/aws-sdk-lite/licensemanager.js');
    expect(removed).not.toContain('node_modules/yaml/dist/doc/Document.js');
    expect(removed).not.toContain('node_modules/lodash.map/index.js');
    expect(doc.packages.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['aws-sdk-lite', 'yaml', 'lodash.map']));
    // Nothing was written into the bundle.
    expect((await readdir(bundle)).sort()).toEqual(['index.js', 'node_modules', 'package.json']);
  });

  it('exits 1 with AWS\'s own message when the target is exceeded', async () => {
    const big = join(dir, 'big');
    await mkdir(big, { recursive: true });
    // 60 MB of incompressible bytes: over the 50 MB zipped direct-upload limit.
    await writeFile(join(big, 'blob.bin'), randomBytes(60 * 2 ** 20));
    const run = await runCli(['scan', big, '--target', 'zip-direct', '--json', '--no-cache']);
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout);
    const zipped = doc.limits.find((l: { id: string }) => l.id === 'zipped-size');
    expect(zipped.fits).toBe(false);
    expect(zipped.message).toBe('Zipped size must be smaller than 52428800 bytes');
    const text = await runCli(['scan', big, '--target', 'zip-direct', '--no-cache']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('DOES NOT FIT');
    expect(text.stdout).toContain('"Zipped size must be smaller than 52428800 bytes"');
  });

  it('check applies the rules virtually and reports the verdict', async () => {
    const run = await runCli(['check', bundle, '--json']);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.verdict).toBe('fits');
    expect(doc.after.unzippedBytes).toBeLessThan(doc.before.unzippedBytes);
    expect(doc.removed.every((r: { ruleId: string; reason: string }) => r.ruleId && r.reason)).toBe(true);
  });

  it('rejects bad usage and bad configuration with one line and exit 2', async () => {
    const unknown = await runCli(['scan', bundle, '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--frobnicate/);
    expect(unknown.stderr).not.toMatch(/\n\s+at /);

    const missing = await runCli(['scan', join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('does not exist');

    const target = await runCli(['scan', bundle, '--target', 'zip']);
    expect(target.code).toBe(2);
    expect(target.stderr).toContain('--target must be one of zip-direct, zip-s3, image');

    const conf = join(dir, 'bad.json');
    await writeFile(conf, JSON.stringify({ memorySize: 64, rules: { use: ['node-safe'], keep: [3] } }));
    const bad = await runCli(['check', bundle, '--config', conf]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('memorySize');
    expect(bad.stderr).toContain('rules.keep[0]');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('answers --help for every command with usage and exit codes', async () => {
    for (const cmd of ['scan', 'check', 'demo']) {
      const run = await runCli([cmd, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: lambdafit ${cmd}`);
    }
    const top = await runCli(['--help']);
    expect(top.stdout).toContain('Exit codes');
  });
});

describe('lambdafit scan warnings', () => {
  it('warns about a rules.disable entry that names no rule', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lf-scan-warn-'));
    try {
      await mkdir(join(dir, 'node_modules', 'a'), { recursive: true });
      await writeFile(join(dir, 'node_modules', 'a', 'index.js'), 'module.exports = 1;\n');
      await writeFile(join(dir, 'lambdafit.json'), JSON.stringify({ rules: { use: ['node-safe'], disable: ['npm-testz'] } }));
      const run = await runCli(['scan', dir, '--json', '--no-cache']);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout).warnings.join('\n')).toContain('"npm-testz" names no rule');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
