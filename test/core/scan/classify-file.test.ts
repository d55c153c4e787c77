import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyFile, needsHeader } from '../../../src/core/scan/classify-file.js';

const kind = (path: string, header?: Buffer) => classifyFile(path, header).kind;

describe('classifyFile', () => {
  it('decides by extension first, so runtime code in doc folders and license-like names stays source', () => {
    expect(kind('node_modules/yaml/dist/doc/Document.js')).toBe('source');
    expect(kind('node_modules/aws-sdk/clients/licensemanager.js')).toBe('source');
    expect(kind('node_modules/history/history.js')).toBe('source');
    expect(kind('node_modules/lodash.map/index.js')).toBe('source');
    expect(kind('package.json')).toBe('source');
    expect(kind('handler.py')).toBe('source');
  });

  it('recognises typings, sourcemaps, bytecode, archives', () => {
    expect(kind('node_modules/x/index.d.ts')).toBe('typings');
    expect(kind('node_modules/x/index.d.mts')).toBe('typings');
    expect(kind('node_modules/x/index.d.cts')).toBe('typings');
    expect(kind('site-packages/x/__init__.pyi')).toBe('typings');
    expect(kind('node_modules/x/index.js.map')).toBe('sourcemap');
    expect(kind('x/__pycache__/a.cpython-311.pyc')).toBe('python-bytecode');
    for (const ext of ['zip', 'tgz', 'gz', 'tar', 'whl', 'jar']) expect(kind(`vendor/pkg.${ext}`)).toBe('archive');
  });

  it('recognises docs by extension, name and folder, but not data files', () => {
    expect(kind('node_modules/x/README.md')).toBe('docs');
    expect(kind('node_modules/x/README')).toBe('docs');
    expect(kind('node_modules/x/LICENSE-MIT')).toBe('docs');
    expect(kind('node_modules/x/CHANGELOG.txt')).toBe('docs');
    expect(kind('node_modules/x/docs/guide.html')).toBe('docs');
    expect(kind('node_modules/x/doc/api.rst')).toBe('docs');
    expect(kind('model/vocab.txt')).toBe('other');
    expect(kind('site-packages/x-1.0.dist-info/top_level.txt')).toBe('other');
  });

  it('recognises tests, examples and CI/tool config', () => {
    expect(kind('node_modules/x/test/index.js')).toBe('tests');
    expect(kind('node_modules/x/__tests__/a.js')).toBe('tests');
    expect(kind('node_modules/x/lib/a.spec.ts')).toBe('tests');
    expect(kind('site-packages/numpy/core/tests/test_api.py')).toBe('tests');
    expect(kind('site-packages/pkg/conftest.py')).toBe('tests');
    expect(kind('site-packages/numpy/testing/__init__.py')).toBe('source');
    expect(kind('node_modules/x/examples/demo.js')).toBe('examples');
    expect(kind('node_modules/x/.github/workflows/ci.yml')).toBe('config');
    expect(kind('node_modules/x/.travis.yml')).toBe('config');
    expect(kind('node_modules/x/.eslintrc.json')).toBe('config');
    expect(kind('node_modules/x/tsconfig.json')).toBe('config');
    expect(kind('node_modules/x/tsconfig.build.json')).toBe('config');
  });

  it('recognises models by extension, signature and model-like names', () => {
    expect(classifyFile('model/model.onnx')).toMatchObject({ kind: 'model', model: { format: 'onnx' } });
    expect(classifyFile('model/model.onnx.data')).toMatchObject({ kind: 'model', model: { format: 'onnx-external-data' } });
    expect(classifyFile('m/model.onnx_data')).toMatchObject({ kind: 'model', model: { format: 'onnx-external-data' } });
    expect(classifyFile('m/w.safetensors').model?.format).toBe('safetensors');
    expect(classifyFile('m/llm.gguf').model?.format).toBe('gguf');
    expect(classifyFile('m/pytorch_model.bin').model?.format).toBe('pytorch');
    expect(kind('models/encoder/weights.bin')).toBe('model');
    expect(kind('node_modules/x/build/Release/data.bin')).toBe('other');
    const gguf = Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(20)]);
    expect(classifyFile('blob/abc123', gguf)).toMatchObject({ kind: 'model', model: { format: 'gguf' } });
    // Extensions that name Object's own properties are just extensions.
    expect(kind('lib/x.constructor')).toBe('other');
    expect(kind('lib/x.__proto__')).toBe('other');
  });

  it('recognises native code from header bytes, not names', () => {
    const ls = readFileSync('/bin/ls').subarray(0, 4096);
    expect(classifyFile('tools/renamed.txt.bak', ls)).toMatchObject({ kind: 'native', native: { format: 'elf', arch: 'x64' } });
    const addon = readFileSync('node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime_binding.node').subarray(0, 4096);
    expect(classifyFile('build/x.node', addon)).toMatchObject({ kind: 'native', native: { format: 'pe', type: 'node-addon' } });
    expect(classifyFile('lib/libfoo.so', Buffer.from('/* GNU ld script */ INPUT(libfoo.so.1)'))).toMatchObject({ kind: 'other' });
    expect(classifyFile('x').reason).toBe('no extension');
  });

  it('asks for header bytes only where the extension is not obviously text', () => {
    for (const p of ['a.js', 'b.json', 'c.md', 'd.d.ts', 'e.map', 'f.py', 'g.png', 'h.txt']) expect(needsHeader(p)).toBe(false);
    for (const p of ['LICENSE', 'bin/tool', 'a.node', 'b.so', 'c.so.1', 'd.dll', 'model.onnx', 'x.bin', 'y.dat']) expect(needsHeader(p)).toBe(true);
  });
});
