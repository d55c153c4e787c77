import type { FileEntry, FileKind, NativeInfo } from '../../../src/core/scan/bundle-index.js';

/** Shorthand for one file: a size, or the fields that matter to the test. */
export type FileSpec = number | (Partial<Omit<FileEntry, 'path'>> & { native?: NativeInfo });

/**
 * Builds `FileEntry[]` from `{ path: spec }`, the way the scanner would describe the files, so
 * rule tests need no disk. Kinds default from the name (the scanner's classifier decides the
 * real ones); compressed sizes default to half the size.
 */
export function makeTree(files: Record<string, FileSpec>): FileEntry[] {
  return Object.entries(files).map(([path, spec]) => {
    const fields = typeof spec === 'number' ? { bytes: spec } : spec;
    const bytes = fields.bytes ?? 100;
    return {
      mode: 0o644,
      kind: fields.kind ?? guessKind(path, fields.native),
      compressedBytes: Math.ceil(bytes / 2),
      ...fields,
      bytes,
      path,
    };
  });
}

/** Native header facts, shortened: `elf('linux', 'x64')`. */
export function elf(os: NativeInfo['os'], arch: NativeInfo['arch'], libc?: NativeInfo['libc']): NativeInfo {
  const format = os === 'darwin' ? 'macho' : os === 'win32' ? 'pe' : 'elf';
  return libc ? { format, os, arch, bits: 64, libc } : { format, os, arch, bits: 64 };
}

function guessKind(path: string, native: NativeInfo | undefined): FileKind {
  if (native) return 'native';
  if (/\.(?:js|mjs|cjs|css|ts)\.map$/.test(path)) return 'sourcemap';
  if (/\.d\.[mc]?ts$/.test(path)) return 'typings';
  if (/\.(?:md|markdown|txt)$/i.test(path)) return 'docs';
  if (/\.(?:js|mjs|cjs|ts|py)$/.test(path)) return 'source';
  if (/\.pyc$/.test(path)) return 'python-bytecode';
  if (/\.onnx$/.test(path)) return 'model';
  return 'other';
}
