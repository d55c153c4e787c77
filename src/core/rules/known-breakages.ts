import type { Architecture } from '../config/config-schema.js';
import type { FileEntry } from '../scan/bundle-index.js';
import type { Risk } from './schema.js';

/**
 * A file that pruning tools deleted in the past and thereby broke a working function
 * (fit-anchors §4). Rule checks run every rule against these files: a rule of a listed risk that
 * would remove one gets a warning naming the incident.
 */
export interface KnownBreakage {
  file: FileEntry;
  /** Risks a rule may not have if it removes this file. */
  forbiddenRisks: readonly Risk[];
  /** What broke, for the warning. */
  incident: string;
  /** Only for rules evaluated for this architecture (binaries). */
  arch?: Architecture;
}

const code = (path: string): FileEntry => ({ path, bytes: 1_000, kind: 'source', mode: 0o644 });
const NOT_SAFE_OR_CAUTION: readonly Risk[] = ['safe', 'caution'];

/** The incidents every rule is checked against. */
export const KNOWN_BREAKAGES: readonly KnownBreakage[] = [
  {
    file: code('node_modules/aws-sdk/lib/licensemanager.js'),
    forbiddenRisks: NOT_SAFE_OR_CAUTION,
    incident: "a license* glob deleted it and aws-sdk failed with \"Cannot find module './licensemanager'\" (modclean#36)",
  },
  {
    file: code('node_modules/lodash.map/index.js'),
    forbiddenRisks: NOT_SAFE_OR_CAUTION,
    incident: 'a *.map glob deleted the lodash.map package (modclean#10)',
  },
  {
    file: { path: 'node_modules/.bin/eslint', bytes: 0, kind: 'other', mode: 0o777, symlinkTarget: '../eslint/bin/eslint.js' },
    forbiddenRisks: NOT_SAFE_OR_CAUTION,
    incident: 'a basename rule deleted .bin links (node-prune#48)',
  },
  {
    file: code('node_modules/yaml/dist/doc/Document.js'),
    forbiddenRisks: NOT_SAFE_OR_CAUTION,
    incident: 'yaml keeps runtime code in dist/doc/, which doc/ rules delete (clean-modules#38)',
  },
  {
    file: code('node_modules/history/index.js'),
    forbiddenRisks: NOT_SAFE_OR_CAUTION,
    incident: 'a folder-name rule deleted the whole history package (modclean#14)',
  },
  {
    file: code('node_modules/test/index.js'),
    forbiddenRisks: NOT_SAFE_OR_CAUTION,
    incident: 'a test/ rule would delete the npm package named "test" (modclean#14)',
  },
  {
    file: code('node_modules/@sanity/client/lib/assets/empty-module.js'),
    forbiddenRisks: NOT_SAFE_OR_CAUTION,
    incident: "deleting assets/ broke packages with \"Cannot find module './assets/empty-module.js'\" (node-prune#6, PR #57)",
  },
  {
    file: { path: 'node_modules/@bull-board/ui/dist/static/images/logo.svg', bytes: 2_000, kind: 'other', mode: 0o644 },
    forbiddenRisks: NOT_SAFE_OR_CAUTION,
    incident: 'deleting images/ broke served UI assets (bull-board#446)',
  },
  {
    file: { path: 'node_modules/@types/node/index.d.ts', bytes: 5_000, kind: 'typings', mode: 0o644 },
    forbiddenRisks: ['safe'],
    incident: 'users need typings kept when they type-check or run TypeScript in the bundle (node-prune#2, #65)',
  },
  {
    file: code('python/lib/python3.11/site-packages/numpy/testing/__init__.py'),
    forbiddenRisks: NOT_SAFE_OR_CAUTION,
    incident: 'numpy imports numpy.testing at import time, so deleting "testing" packages breaks numpy',
  },
  {
    file: code('numpy/testing/_private/utils.py'),
    forbiddenRisks: NOT_SAFE_OR_CAUTION,
    incident: 'numpy imports numpy.testing at import time, so deleting "testing" packages breaks numpy',
  },
  {
    file: {
      path: 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
      bytes: 20_000_000,
      kind: 'native',
      mode: 0o644,
      native: { format: 'elf', os: 'linux', arch: 'x64', libc: 'glibc', bits: 64, type: 'shared-library' },
    },
    forbiddenRisks: ['safe', 'caution', 'danger'],
    incident: 'this is the x86_64 target’s own onnxruntime library; without it onnxruntime-node cannot load',
    arch: 'x86_64',
  },
  {
    file: {
      path: 'node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/onnxruntime_binding.node',
      bytes: 2_000_000,
      kind: 'native',
      mode: 0o644,
      native: { format: 'elf', os: 'linux', arch: 'arm64', libc: 'glibc', bits: 64, type: 'node-addon' },
    },
    forbiddenRisks: ['safe', 'caution', 'danger'],
    incident: 'this is the arm64 target’s own onnxruntime binding; without it onnxruntime-node cannot load',
    arch: 'arm64',
  },
];
