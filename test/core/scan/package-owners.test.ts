import { describe, expect, it } from 'vitest';
import { npmPackageOf } from '../../../src/core/scan/npm-package-of.js';
import { distributionName, parseRecordPaths, pythonOwners } from '../../../src/core/scan/python-owners.js';

describe('npmPackageOf', () => {
  it('names plain, scoped and nested packages', () => {
    expect(npmPackageOf('node_modules/onnxruntime-node/lib/index.js')).toBe('onnxruntime-node');
    expect(npmPackageOf('node_modules/@img/sharp-linux-x64/lib/sharp.node')).toBe('@img/sharp-linux-x64');
    expect(npmPackageOf('node_modules/a/node_modules/b/x.js')).toBe('b');
    expect(npmPackageOf('node_modules/.pnpm/b@1.0.0/node_modules/b/x.js')).toBe('b');
    expect(npmPackageOf('layer/nodejs/node_modules/c/index.js')).toBe('c');
  });

  it('gives nothing for files that belong to no package', () => {
    expect(npmPackageOf('index.js')).toBeUndefined();
    expect(npmPackageOf('node_modules/.bin/tsc')).toBeUndefined();
    expect(npmPackageOf('node_modules/.package-lock.json')).toBeUndefined();
    expect(npmPackageOf('node_modules/@scope/file.js')).toBeUndefined();
  });
});

describe('python owners', () => {
  it('parses RECORD lines, quoted ones included, and dist-info names', () => {
    expect(parseRecordPaths('a/b.py,sha256=x,10\n"we,ird.py",sha256=y,2\nx-1.0.dist-info/RECORD,,\n')).toEqual(['a/b.py', 'we,ird.py', 'x-1.0.dist-info/RECORD']);
    expect(distributionName('typing_extensions-4.8.0.dist-info')).toBe('typing_extensions');
    expect(distributionName('PyYAML-6.0.1.dist-info')).toBe('PyYAML');
    expect(distributionName('foo.egg-info')).toBe('foo');
  });

  it('maps site-packages files to distributions through RECORD and top_level.txt', () => {
    const sp = 'python/lib/python3.11/site-packages';
    const paths = [
      `${sp}/yaml/__init__.py`,
      `${sp}/yaml/__pycache__/__init__.cpython-311.pyc`,
      `${sp}/_yaml/__init__.py`,
      `${sp}/PyYAML-6.0.1.dist-info/RECORD`,
      `${sp}/PyYAML-6.0.1.dist-info/top_level.txt`,
      `${sp}/six.py`,
      `${sp}/__pycache__/six.cpython-311.pyc`,
      `${sp}/six-1.16.0.dist-info/RECORD`,
      `${sp}/numpy.libs/libopenblas.so`,
      `${sp}/numpy-1.26.4.dist-info/RECORD`,
      `${sp}/numpy/core/multiarray.py`,
      `${sp}/mystery/mod.py`,
    ];
    const meta = new Map([
      [`${sp}/PyYAML-6.0.1.dist-info/RECORD`, 'yaml/__init__.py,sha256=a,1\nPyYAML-6.0.1.dist-info/RECORD,,\n'],
      [`${sp}/PyYAML-6.0.1.dist-info/top_level.txt`, '_yaml\nyaml\n'],
      [`${sp}/six-1.16.0.dist-info/RECORD`, 'six.py,sha256=b,2\n'],
      [`${sp}/numpy-1.26.4.dist-info/RECORD`, 'numpy/core/multiarray.py,,\nnumpy.libs/libopenblas.so,,\n'],
    ]);
    const owner = pythonOwners(paths, meta);
    expect(paths.map(owner)).toEqual(['PyYAML', 'PyYAML', 'PyYAML', 'PyYAML', 'PyYAML', 'six', 'six', 'six', 'numpy', 'numpy', 'numpy', 'mystery']);
  });

  it('detects a Python bundle at the zip root by its dist-info folders, leaving user code unowned', () => {
    const paths = ['handler.py', 'requests/api.py', 'requests-2.31.0.dist-info/RECORD', 'myapp/util.py'];
    const owner = pythonOwners(paths, new Map([['requests-2.31.0.dist-info/RECORD', 'requests/api.py,,\n']]));
    expect(paths.map(owner)).toEqual([undefined, 'requests', 'requests', undefined]);
  });
});
