import { describe, expect, it } from 'vitest';
import { buildLayersStep } from '../../../../src/core/fit/placement/build-layers-step.js';
import { predictZipBytes } from '../../../../src/core/scan/predict-zip-bytes.js';

const MB = 1_000_000;
const file = (path: string, mb: number) => ({ path, bytes: mb * MB, compressedBytes: Math.round(mb * MB * 0.5) });

describe('buildLayersStep', () => {
  it('packs whole packages into layers under the direct-upload zip limit, in the /opt layout', () => {
    const files = [
      file('index.mjs', 0.01),
      file('node_modules/big/a.node', 60),
      file('node_modules/big/index.js', 1),
      file('node_modules/@scope/mid/x.js', 40),
      file('node_modules/small/y.js', 10),
    ];
    const r = buildLayersStep({ files, configuredLayers: 1, nodeOptions: '--enable-source-maps' });
    expect(r.step).toBeDefined();
    const step = r.step!;
    expect(step.strategy).toBe('layers');
    expect(step.moved.map((m) => m.path).sort()).toEqual(['node_modules/@scope/mid/x.js', 'node_modules/big/a.node', 'node_modules/big/index.js', 'node_modules/small/y.js']);
    // big (≈30.5 MB zipped) and mid (20 MB) do not share a 52,428,800 B zip; small joins one of them.
    expect(step.layers).toHaveLength(2);
    for (const l of step.layers) {
      expect(l.zippedBytes).toBeLessThanOrEqual(52_428_800);
      expect(l.files.every((f) => f.to === `nodejs/${f.from}`)).toBe(true);
      const packages = new Set(l.files.map((f) => f.from.split('/').slice(0, f.from.includes('@') ? 3 : 2).join('/')));
      expect(packages.size).toBeGreaterThan(0);
    }
    const big = step.layers.find((l) => l.files.some((f) => f.from === 'node_modules/big/a.node'))!;
    expect(big.files.map((f) => f.from)).toContain('node_modules/big/index.js'); // a package is never split
    expect(big.zippedBytes).toBe(predictZipBytes(big.files.map((f) => ({ ...files.find((x) => x.path === f.from)!, path: f.to }))));
    expect(step.environment.NODE_OPTIONS).toBe('--enable-source-maps --require /var/task/lambdafit/esm-node-path.cjs');
    expect(step.added[0]!.path).toBe('lambdafit/esm-node-path.cjs');
  });

  it('says why layers cannot help: one package over the per-zip limit, or no free layer', () => {
    const files = [file('node_modules/huge/model.bin', 120)];
    expect(buildLayersStep({ files, configuredLayers: 0, nodeOptions: undefined }).reason).toMatch(/node_modules\/huge alone deflates to 60,0\d\d,\d{3} B, above the 52,428,800 B/);
    expect(buildLayersStep({ files: [file('node_modules/a/x.js', 1)], configuredLayers: 5, nodeOptions: undefined }).reason).toMatch(/already attaches 5 layers/);
    const many = Array.from({ length: 6 }, (_, i) => file(`node_modules/p${i}/x.bin`, 70));
    expect(buildLayersStep({ files: many, configuredLayers: 0, nodeOptions: undefined }).reason).toMatch(/need 6 layers .* only 5/);
  });
});
