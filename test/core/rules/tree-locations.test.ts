import { describe, expect, it } from 'vitest';
import { locateNpmFolder, locateNpmPackage } from '../../../src/core/rules/locate-npm-package.js';
import { findPythonRoots, locatePython } from '../../../src/core/rules/python-roots.js';

describe('locateNpmPackage', () => {
  it('names the nearest package and the path inside it', () => {
    expect(locateNpmPackage('node_modules/lodash/lib/map.js')).toEqual({ root: 'node_modules/lodash', name: 'lodash', innerDir: 'lib', inner: 'lib/map.js' });
    expect(locateNpmPackage('node_modules/@img/sharp-linux-x64/lib/sharp.node')).toMatchObject({ name: '@img/sharp-linux-x64', inner: 'lib/sharp.node' });
    expect(locateNpmPackage('node_modules/a/node_modules/b/index.js')).toMatchObject({ root: 'node_modules/a/node_modules/b', name: 'b', inner: 'index.js' });
    expect(locateNpmPackage('app/node_modules/.pnpm/x@1/node_modules/x/i.js')).toMatchObject({ name: 'x', inner: 'i.js' });
  });

  it('gives no package to .bin, loose files in node_modules, scope folders and app code', () => {
    expect(locateNpmPackage('node_modules/.bin/eslint')).toBeUndefined();
    expect(locateNpmPackage('node_modules/.package-lock.json')).toBeUndefined();
    expect(locateNpmPackage('node_modules/@scope/README.md')).toBeUndefined();
    expect(locateNpmPackage('src/node_modules_helper.js')).toBeUndefined();
    expect(locateNpmPackage('index.js')).toBeUndefined();
    expect(locateNpmFolder('node_modules')).toBeUndefined();
    expect(locateNpmFolder('node_modules/history')).toEqual({ root: 'node_modules/history', name: 'history', innerDir: '' });
  });
});

describe('Python roots', () => {
  it('recognises a pip -t function root and a layer python/ folder, but not a Node app with a script', () => {
    expect(findPythonRoots(['lambda_function.py', 'numpy/__init__.py'])).toEqual(['']);
    expect(findPythonRoots(['python/six.py', 'python/numpy-1.26.dist-info/METADATA'])).toEqual(['python/']);
    expect(findPythonRoots(['package.json', 'scripts/build.py', 'tool.py'])).toEqual([]);
    expect(findPythonRoots(['package.json', 'requests-2.0.dist-info/RECORD'])).toEqual(['']);
    expect(findPythonRoots(['index.js', 'pkg/__init__.py'])).toEqual(['']);
  });

  it('locates site-packages anywhere and names the top-level import', () => {
    const roots: string[] = [];
    expect(locatePython('python/lib/python3.11/site-packages/numpy/testing/__init__.py', roots)).toEqual({
      root: 'python/lib/python3.11/site-packages/',
      innerDir: 'numpy/testing',
      inner: 'numpy/testing/__init__.py',
      topLevel: 'numpy',
    });
    expect(locatePython('venv/lib/python3.11/site-packages/six.py', roots)).toMatchObject({ inner: 'six.py', topLevel: 'six' });
    expect(locatePython('site-packages/_cffi_backend.cpython-311-x86_64-linux-gnu.so', roots)?.topLevel).toBe('_cffi_backend');
    expect(locatePython('numpy/__init__.py', roots)).toBeUndefined();
    expect(locatePython('numpy/__init__.py', [''])).toMatchObject({ root: '', topLevel: 'numpy' });
    expect(locatePython('node_modules/x/setup.py', [''])).toBeUndefined();
  });
});
