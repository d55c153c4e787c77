import type { BinaryArch, BinaryOs, DuplicateGroup, FileEntry, FileKind } from '../scan/bundle-index.js';

/** Bytes and files of one owning package. */
export interface PackageSummary {
  name: string;
  ecosystem: 'npm' | 'python';
  bytes: number;
  files: number;
}

/** Bytes and files of one file kind. */
export interface KindSummary {
  kind: FileKind;
  bytes: number;
  files: number;
}

/** One native binary and the platform its header names. */
export interface BinarySummary {
  path: string;
  format: 'elf' | 'macho' | 'pe';
  os: BinaryOs;
  arch: BinaryArch;
  libc?: 'glibc' | 'musl';
  bytes: number;
}

/** Per-package, per-kind and per-binary views of a file list. Pure. */
export function summarizeTree(files: readonly FileEntry[]): { packages: PackageSummary[]; kinds: KindSummary[]; binaries: BinarySummary[] } {
  const packages = new Map<string, PackageSummary>();
  const kinds = new Map<FileKind, KindSummary>();
  const binaries: BinarySummary[] = [];
  for (const f of files) {
    if (f.package && f.ecosystem) {
      const key = `${f.ecosystem}:${f.package}`;
      const p = packages.get(key) ?? { name: f.package, ecosystem: f.ecosystem, bytes: 0, files: 0 };
      p.bytes += f.bytes;
      p.files++;
      packages.set(key, p);
    }
    const k = kinds.get(f.kind) ?? { kind: f.kind, bytes: 0, files: 0 };
    k.bytes += f.bytes;
    k.files++;
    kinds.set(f.kind, k);
    if (f.native) {
      const b: BinarySummary = { path: f.path, format: f.native.format, os: f.native.os, arch: f.native.arch, bytes: f.bytes };
      if (f.native.libc) b.libc = f.native.libc;
      binaries.push(b);
    }
  }
  const byBytes = <T extends { bytes: number }>(a: T, b: T) => b.bytes - a.bytes;
  return {
    packages: [...packages.values()].sort((a, b) => byBytes(a, b) || a.name.localeCompare(b.name)),
    kinds: [...kinds.values()].sort(byBytes),
    binaries: binaries.sort((a, b) => byBytes(a, b) || a.path.localeCompare(b.path)),
  };
}

/** Bytes that deleting all but one copy of each duplicate group would save. */
export function duplicateSavings(groups: readonly DuplicateGroup[]): number {
  return groups.reduce((n, g) => n + g.bytes * (g.paths.length - 1), 0);
}
