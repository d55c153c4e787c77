/**
 * The data model of a scanned bundle: every file with its size, kind, owner and content hash.
 * Produced by `scanBundle`, consumed by the limits model, the rule matcher and the planners.
 */

/** What a file is, decided from its path and, for binaries and models, its header bytes. */
export type FileKind =
  | 'source'
  | 'typings'
  | 'sourcemap'
  | 'docs'
  | 'tests'
  | 'examples'
  | 'config'
  | 'native'
  | 'model'
  | 'python-bytecode'
  | 'archive'
  | 'other';

/** Operating system a native binary targets, read from its header. */
export type BinaryOs = 'linux' | 'darwin' | 'win32' | 'unknown';
/** CPU architecture a native binary targets (Node's names). */
export type BinaryArch = 'x64' | 'arm64' | 'ia32' | 'arm' | 'ppc64' | 's390x' | 'riscv64' | 'universal' | 'unknown';

/** What the header of a native binary says. */
export interface NativeInfo {
  format: 'elf' | 'macho' | 'pe';
  os: BinaryOs;
  arch: BinaryArch;
  /** For ELF: which C library it links against, when the interpreter or DT_NEEDED tells. */
  libc?: 'glibc' | 'musl';
  /** Word size. */
  bits: 32 | 64;
  /** Shared library / executable / Node addon, when the header or name tells. */
  type?: 'shared-library' | 'executable' | 'object' | 'node-addon';
  /** Mach-O fat/universal files: the architecture of each slice (`arch` is then `universal`). */
  archs?: BinaryArch[];
}

/** Model file facts (filled in by the model inspector when it knows the format). */
export interface ModelInfo {
  format: 'onnx' | 'onnx-external-data' | 'safetensors' | 'pytorch' | 'gguf' | 'tflite' | 'other';
  /** Number of parameters, when known. */
  parameters?: number;
  /** ai.onnx opset, for ONNX models. */
  opset?: number;
  producer?: string;
  /** Bytes of float weights that int8 quantization would shrink. */
  quantizableBytes?: number;
  /** Estimated file size after int8 quantization. */
  estimatedInt8Bytes?: number;
  /** Estimated file size after int4 quantization. */
  estimatedInt4Bytes?: number;
  /** Why quantization does not apply, when it does not. */
  notQuantizable?: string;
}

/** One regular file or symlink of the bundle (or of a layer). */
export interface FileEntry {
  /** POSIX path relative to the bundle (or layer) root; never starts with `/` or contains `..`. */
  path: string;
  /** Size in bytes (0 for symlinks). */
  bytes: number;
  kind: FileKind;
  /** Unix mode bits (permission part), e.g. 0o644. */
  mode: number;
  /** Owning package: npm name (`@img/sharp-linux-x64`) or Python distribution (`numpy`). */
  package?: string;
  /** Which ecosystem `package` belongs to. */
  ecosystem?: 'npm' | 'python';
  /** sha256 of the content, hex. Absent for symlinks. */
  hash?: string;
  /** Bytes of this file's data once deflated at level 6 (or stored, if deflate does not pay). */
  compressedBytes?: number;
  /** Set for native binaries. */
  native?: NativeInfo;
  /** Set for model weight files. */
  model?: ModelInfo;
  /** Set for symlinks: the link target as written. */
  symlinkTarget?: string;
}

/** A group of files with identical content. */
export interface DuplicateGroup {
  hash: string;
  /** Size of one copy. */
  bytes: number;
  /** Code paths as in `code.files`; layer files as `/opt/<path>` (where Lambda mounts layers). */
  paths: string[];
}

/** One listed tree (no hashes, no compressed sizes): what `listBundle` returns. */
export interface TreeListing {
  /** Where it came from: a folder, a .zip or a .tar.gz path. */
  source: string;
  sourceType: 'folder' | 'zip' | 'tar.gz';
  /** Regular files and symlinks, sorted by path. */
  files: FileEntry[];
  /** Directories that hold no file at any depth; lambdafit zips keep them as entries. */
  emptyDirectories?: string[];
  /** Sum of regular file sizes. */
  unzippedBytes: number;
}

/** One scanned tree: the function code or one layer. */
export interface TreeIndex extends TreeListing {
  /**
   * Exact size of the zip lambdafit would write for this tree (`writeZip`: directory entries
   * included, per-entry deflate level 6 or stored). Recompute after removing files with
   * `predictZipBytes`.
   */
  zippedBytes: number;
}

/** A listed bundle: function code plus its layers, without hashes or compressed sizes. */
export interface BundleListing {
  code: TreeListing;
  layers: TreeListing[];
  /** Non-fatal observations (e.g. a symlink inside the bundle). */
  warnings: string[];
}

/** A scanned bundle: function code plus its layers. */
export interface BundleIndex {
  code: TreeIndex;
  layers: TreeIndex[];
  duplicates: DuplicateGroup[];
  /** Non-fatal observations (e.g. a symlink inside the bundle, a file lambdafit could not read). */
  warnings: string[];
}
