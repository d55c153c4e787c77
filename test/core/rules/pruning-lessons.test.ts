import { beforeAll, describe, expect, it } from 'vitest';
import type { Architecture } from '../../../src/core/config/config-schema.js';
import type { Candidate } from '../../../src/core/rules/candidate.js';
import { loadRuleSets, type LoadedRuleSet } from '../../../src/core/rules/load-rule-sets.js';
import { matchRules } from '../../../src/core/rules/match-rules.js';
import type { Risk } from '../../../src/core/rules/schema.js';
import type { FileEntry } from '../../../src/core/scan/bundle-index.js';
import { elf, makeTree } from './tree-builder.js';

// The built-in rule sets against the breakages of fit-anchors §4: every lesson is one assertion.
let builtIns: LoadedRuleSet[];

beforeAll(async () => {
  const result = await loadRuleSets(['node-safe', 'native-foreign', 'python-seed', 'dedupe']);
  expect(result.errors).toEqual([]);
  builtIns = result.ruleSets;
});

/** path → "ruleId (risk)" for every file some rule would remove. */
function decisions(tree: FileEntry[], arch: Architecture = 'x86_64'): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of matchRules(tree, builtIns, { arch })) for (const f of c.files) out.set(f.path, `${c.ruleId} (${c.risk})`);
  return out;
}

function riskOf(candidates: Candidate[], path: string): Risk | undefined {
  return candidates.find((c) => c.files.some((f) => f.path === path))?.risk;
}

describe('node-safe lessons', () => {
  const tree = makeTree({
    'node_modules/aws-sdk/lib/licensemanager.js': 4_000,
    'node_modules/aws-sdk/LICENSE.txt': 500,
    'node_modules/aws-sdk/LICENCE-MIT': 500,
    'node_modules/lodash.map/index.js': 3_000,
    'node_modules/lodash.map/package.json': 300,
    'node_modules/.bin/eslint': { bytes: 0, symlinkTarget: '../eslint/bin/eslint.js' },
    'node_modules/.bin/tsc': 100,
    'node_modules/eslint/bin/eslint.js': 100,
    'node_modules/yaml/dist/doc/Document.js': 9_000,
    'node_modules/yaml/dist/doc/README.md': 100,
    'node_modules/yaml/docs/01_intro.md': 100,
    'node_modules/history/index.js': 1_000,
    'node_modules/history/umd/history.js': 1_000,
    'node_modules/test/index.js': 1_000,
    'node_modules/tests/lib/a.js': 1_000,
    'node_modules/@scope/test/index.js': 1_000,
    'node_modules/sanity/lib/assets/empty-module.js': 10,
    'node_modules/ui/dist/static/images/logo.png': 10,
    'node_modules/ui/images/bg.jpg': 10,
    'node_modules/ui/screenshot.png': 10,
    'node_modules/@types/node/index.d.ts': 10,
    'node_modules/pkg/dist/index.d.ts': 10,
    'node_modules/pkg/dist/index.js': 10,
    'node_modules/pkg/dist/index.js.map': 10,
    'node_modules/pkg/dist/index.d.ts.map': 10,
    'node_modules/pkg/dist/index.min.js': 10,
    'node_modules/pkg/src/index.ts': 10,
  });

  it('keeps aws-sdk licensemanager.js while removing exact licence files', () => {
    const d = decisions(tree);
    expect(d.has('node_modules/aws-sdk/lib/licensemanager.js')).toBe(false);
    expect(d.get('node_modules/aws-sdk/LICENSE.txt')).toBe('npm-license-files (safe)');
    expect(d.get('node_modules/aws-sdk/LICENCE-MIT')).toBe('npm-license-files (safe)');
  });

  it('keeps the lodash.map package while removing real sourcemaps', () => {
    const d = decisions(tree);
    expect(d.has('node_modules/lodash.map/index.js')).toBe(false);
    expect(d.has('node_modules/lodash.map/package.json')).toBe(false);
    expect(d.get('node_modules/pkg/dist/index.js.map')).toBe('npm-sourcemaps (safe)');
    expect(d.get('node_modules/pkg/dist/index.d.ts.map')).toBe('npm-sourcemaps (safe)');
  });

  it('never touches .bin', () => {
    const d = decisions(tree);
    expect([...d.keys()].filter((p) => p.includes('/.bin/'))).toEqual([]);
  });

  it("keeps yaml's runtime code in dist/doc while removing the markdown there", () => {
    const d = decisions(tree);
    expect(d.has('node_modules/yaml/dist/doc/Document.js')).toBe(false);
    expect(d.get('node_modules/yaml/dist/doc/README.md')).toBe('npm-readme-changelog (safe)');
    expect(d.get('node_modules/yaml/docs/01_intro.md')).toBe('npm-markdown (safe)');
  });

  it('never removes a package because of its name (history, test, tests, @scope/test)', () => {
    const d = decisions(tree);
    for (const path of ['history/index.js', 'history/umd/history.js', 'test/index.js', 'tests/lib/a.js', '@scope/test/index.js']) {
      expect(d.has(`node_modules/${path}`), path).toBe(false);
    }
  });

  it('keeps assets/ and images/ folders; other images are only caution', () => {
    const candidates = matchRules(tree, builtIns);
    expect(riskOf(candidates, 'node_modules/sanity/lib/assets/empty-module.js')).toBeUndefined();
    expect(riskOf(candidates, 'node_modules/ui/dist/static/images/logo.png')).toBeUndefined();
    expect(riskOf(candidates, 'node_modules/ui/images/bg.jpg')).toBeUndefined();
    expect(riskOf(candidates, 'node_modules/ui/screenshot.png')).toBe('caution');
  });

  it('never calls typings safe, and leaves minified code alone', () => {
    const candidates = matchRules(tree, builtIns);
    expect(riskOf(candidates, 'node_modules/@types/node/index.d.ts')).toBe('caution');
    expect(riskOf(candidates, 'node_modules/pkg/dist/index.d.ts')).toBe('caution');
    expect(riskOf(candidates, 'node_modules/pkg/src/index.ts')).toBe('caution');
    expect(riskOf(candidates, 'node_modules/pkg/dist/index.min.js')).toBeUndefined();
    expect(riskOf(candidates, 'node_modules/pkg/dist/index.js')).toBeUndefined();
  });

  it('lets rules.keep save typings', () => {
    const candidates = matchRules(tree, builtIns, { keep: ['**/*.d.ts'] });
    expect(candidates.flatMap((c) => c.files).some((f) => f.path.endsWith('.d.ts'))).toBe(false);
  });
});

describe('native-foreign lessons', () => {
  const ort = 'node_modules/onnxruntime-node/bin/napi-v6';
  const tree = makeTree({
    [`${ort}/darwin/arm64/libonnxruntime.1.30.0.dylib`]: { bytes: 40_000_000, native: elf('darwin', 'arm64') },
    [`${ort}/darwin/arm64/onnxruntime_binding.node`]: { bytes: 1_000_000, native: elf('darwin', 'arm64') },
    [`${ort}/win32/x64/DirectML.dll`]: { bytes: 18_000_000, native: elf('win32', 'x64') },
    [`${ort}/win32/x64/onnxruntime.pdb`]: 50_000_000,
    [`${ort}/win32/x64/onnxruntime_providers_shared.lib`]: 10,
    [`${ort}/linux/x64/libonnxruntime.so.1`]: { bytes: 21_000_000, native: elf('linux', 'x64', 'glibc') },
    [`${ort}/linux/x64/onnxruntime_binding.node`]: { bytes: 1_000_000, native: elf('linux', 'x64') },
    [`${ort}/linux/arm64/libonnxruntime.so.1`]: { bytes: 20_000_000, native: elf('linux', 'arm64', 'glibc') },
    [`${ort}/linux/arm64/onnxruntime_binding.node`]: 1_000_000,
    'node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64.node': 500_000,
    'node_modules/@img/sharp-libvips-linux-x64/lib/libvips-cpp.so': 7_000_000,
    'node_modules/@img/sharp-linux-arm64/lib/sharp-linux-arm64.node': 500_000,
    'node_modules/@img/sharp-libvips-linuxmusl-x64/lib/libvips-cpp.so': 7_000_000,
    'node_modules/@img/sharp-darwin-arm64/lib/sharp-darwin-arm64.node': 500_000,
    'node_modules/@img/sharp-libvips-darwin-arm64/versions.json': 100,
    'node_modules/@img/sharp-wasm32/lib/sharp-wasm32.node.wasm': 500_000,
    'node_modules/leveldown/prebuilds/linux-x64/node.napi.glibc.node': 100,
    'node_modules/leveldown/prebuilds/linux-x64/node.napi.musl.node': 100,
    'node_modules/leveldown/prebuilds/darwin-x64+arm64/node.napi.node': 100,
    'node_modules/leveldown/prebuilds/win32-x64/node.napi.node': 100,
    'node_modules/leveldown/prebuilds/linux-arm64/node.napi.armv8.node': 100,
  });

  it('removes every other platform of onnxruntime-node on x86_64, headers and all, and keeps linux/x64', () => {
    const d = decisions(tree, 'x86_64');
    expect(d.get(`${ort}/darwin/arm64/libonnxruntime.1.30.0.dylib`)).toBe('foreign-binaries (safe)');
    expect(d.get(`${ort}/win32/x64/DirectML.dll`)).toBe('foreign-binaries (safe)');
    expect(d.get(`${ort}/win32/x64/onnxruntime.pdb`)).toBe('onnxruntime-node-foreign-os (safe)');
    expect(d.get(`${ort}/win32/x64/onnxruntime_providers_shared.lib`)).toBe('onnxruntime-node-foreign-os (safe)');
    expect(d.get(`${ort}/linux/arm64/libonnxruntime.so.1`)).toBe('foreign-binaries (safe)');
    expect(d.get(`${ort}/linux/arm64/onnxruntime_binding.node`)).toBe('onnxruntime-node-foreign-arch (safe)');
    expect(d.has(`${ort}/linux/x64/libonnxruntime.so.1`)).toBe(false);
    expect(d.has(`${ort}/linux/x64/onnxruntime_binding.node`)).toBe(false);
  });

  it('keeps linux/arm64 and removes linux/x64 for an arm64 target', () => {
    const d = decisions(tree, 'arm64');
    expect(d.has(`${ort}/linux/arm64/libonnxruntime.so.1`)).toBe(false);
    expect(d.has(`${ort}/linux/arm64/onnxruntime_binding.node`)).toBe(false);
    expect(d.get(`${ort}/linux/x64/libonnxruntime.so.1`)).toBe('foreign-binaries (safe)');
    expect(d.get(`${ort}/linux/x64/onnxruntime_binding.node`)).toBe('foreign-binaries (safe)');
  });

  it("removes sharp's packages for other platforms and keeps the target's and the wasm fallback", () => {
    const d = decisions(tree, 'x86_64');
    expect(d.has('node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64.node')).toBe(false);
    expect(d.has('node_modules/@img/sharp-libvips-linux-x64/lib/libvips-cpp.so')).toBe(false);
    expect(d.has('node_modules/@img/sharp-wasm32/lib/sharp-wasm32.node.wasm')).toBe(false);
    for (const pkg of ['sharp-linux-arm64/lib/sharp-linux-arm64.node', 'sharp-libvips-linuxmusl-x64/lib/libvips-cpp.so', 'sharp-darwin-arm64/lib/sharp-darwin-arm64.node', 'sharp-libvips-darwin-arm64/versions.json']) {
      expect(d.get(`node_modules/@img/${pkg}`), pkg).toBe('sharp-foreign-platform-packages (safe)');
    }
    expect(decisions(tree, 'arm64').has('node_modules/@img/sharp-linux-arm64/lib/sharp-linux-arm64.node')).toBe(false);
  });

  it('keeps only the glibc prebuild of the target', () => {
    const d = decisions(tree, 'x86_64');
    const prebuilds = [...d.entries()].filter(([p]) => p.includes('/prebuilds/')).map(([p]) => p.split('/prebuilds/')[1]).sort();
    expect(prebuilds).toEqual(['darwin-x64+arm64/node.napi.node', 'linux-arm64/node.napi.armv8.node', 'linux-x64/node.napi.musl.node', 'win32-x64/node.napi.node']);
  });
});

describe('python-seed lessons', () => {
  const sp = 'python/lib/python3.11/site-packages';
  const seed: Record<string, Risk> = {
    [`${sp}/numpy/_core/tests/test_multiarray.py`]: 'safe',
    [`${sp}/scipy/test/test_x.py`]: 'safe',
    [`${sp}/numpy/__pycache__/version.cpython-311.pyc`]: 'safe',
    [`${sp}/numpy/_core/include/numpy/ndarraytypes.h`]: 'safe',
    [`${sp}/caffe2/python/core.py`]: 'caution',
    [`${sp}/wheel/bdist_wheel.py`]: 'safe',
    [`${sp}/pkg_resources/__init__.py`]: 'danger',
    [`${sp}/boto3/session.py`]: 'caution',
    [`${sp}/botocore/data/s3/2006-03-01/service-2.json`]: 'caution',
    [`${sp}/aws_lambda_powertools/logging/logger.py`]: 'danger',
    [`${sp}/pip/__main__.py`]: 'safe',
    [`${sp}/pipenv/cli.py`]: 'safe',
    [`${sp}/setuptools/dist.py`]: 'caution',
    [`${sp}/oldlib.egg-info/PKG-INFO`]: 'caution',
    [`${sp}/numpy-1.26.4.dist-info/METADATA`]: 'caution',
    [`${sp}/legacy_module.pyc`]: 'caution',
  };
  const kept = [`${sp}/numpy/testing/__init__.py`, `${sp}/numpy/testing/_private/utils.py`, `${sp}/numpy/__init__.py`, `${sp}/torch/testing/_internal/common.py`, `${sp}/requests/__init__.py`];
  const tree = makeTree(Object.fromEntries([...Object.keys(seed), ...kept].map((p) => [p, 1_000])));

  it('offers every item of the seed recipe with its honest risk', () => {
    const candidates = matchRules(tree, builtIns);
    for (const [path, risk] of Object.entries(seed)) expect([path, riskOf(candidates, path)]).toEqual([path, risk]);
  });

  it('keeps numpy.testing, which numpy imports, and other testing packages', () => {
    const d = decisions(tree);
    for (const path of kept) expect(d.has(path), path).toBe(false);
  });

  it('explains the cold-start cost of dropping bytecode and the importlib.metadata breakage', () => {
    const candidates = matchRules(tree, builtIns);
    expect(candidates.find((c) => c.ruleId === 'python-pycache')!.explanation).toMatch(/cold start/);
    expect(candidates.find((c) => c.ruleId === 'python-dist-info')!.explanation).toMatch(/importlib\.metadata/);
    expect(candidates.find((c) => c.ruleId === 'python-boto')!.explanation).toMatch(/version/);
  });

  it('applies only inside Python roots', () => {
    const node = makeTree({ 'node_modules/x/tests/a.js': 1, 'index.js': 1, 'package.json': 1, 'tools/gen.py': 1, 'include/a.h': 1 });
    expect(matchRules(node, builtIns.filter((s) => s.id === 'python-seed'))).toEqual([]);
  });
});
