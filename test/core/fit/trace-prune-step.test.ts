import { describe, expect, it } from 'vitest';
import { parseTraceLines } from '../../../src/core/fit/node-trace-hook.js';
import { proposeTraceStep } from '../../../src/core/fit/trace-prune-step.js';
import type { FileEntry } from '../../../src/core/scan/bundle-index.js';

const file = (path: string, extra: Partial<FileEntry> = {}): FileEntry => ({ path, bytes: 10, kind: 'source', mode: 0o644, compressedBytes: 8, ...extra });

describe('parseTraceLines', () => {
  it('collects the traced paths from log lines, whatever the prefix', () => {
    const logs = ['START RequestId: x', '2026-01-01T00:00:00Z\tid\tERROR\tLAMBDAFIT_TRACE\tindex.mjs', 'LAMBDAFIT_TRACE\tnode_modules/a/b.js\rLAMBDAFIT_TRACE\tnode_modules/a/c.js', 'REPORT …'];
    expect([...parseTraceLines(logs)].sort()).toEqual(['index.mjs', 'node_modules/a/b.js', 'node_modules/a/c.js']);
  });
});

describe('proposeTraceStep', () => {
  const files = [
    file('index.mjs'),
    file('node_modules/a/package.json', { kind: 'config' }),
    file('node_modules/a/index.js'),
    file('node_modules/a/unused.js'),
    file('model/m.onnx', { kind: 'model', model: { format: 'onnx' } }),
    file('node_modules/a/kept.js'),
    file('node_modules/a/gone.md'),
    file('link.js', { symlinkTarget: 'index.mjs', bytes: 0 }),
  ];

  it('proposes the files never opened, leaving out package.json, models, symlinks, kept and removed files', () => {
    const step = proposeTraceStep(files, new Set(['index.mjs', 'node_modules/a/index.js']), [
      { kind: 'prune', ruleId: 'docs', ruleSet: 'node-safe', risk: 'safe', description: '', files: [{ path: 'node_modules/a/gone.md', bytes: 10 }], bytes: 10 },
      { kind: 'keep', ruleId: 'x', ruleSet: 'y', files: ['node_modules/a/kept.js'], evidence: { tests: 1, failure: 'f', mismatches: [] } },
    ]);
    expect(step?.risk).toBe('caution');
    expect(step?.candidates[0]!.files.map((f) => f.path)).toEqual(['node_modules/a/unused.js']);
    expect(step?.candidates[0]).toMatchObject({ ruleId: 'trace-unused', ruleSet: 'trace', bytes: 10 });
  });

  it('proposes nothing when everything was opened', () => {
    expect(proposeTraceStep(files.slice(0, 3), new Set(['index.mjs', 'node_modules/a/index.js']), [])).toBeNull();
  });
});
