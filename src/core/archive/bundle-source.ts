/**
 * One way to read a bundle or a layer, whatever it is stored as: a folder, a `.zip` or a
 * `.tar.gz`. Archives are read in place (never extracted to disk); every entry a source hands out
 * has already passed the safety checks (no `..`, no absolute paths, no escaping symlinks, no
 * device files), so consumers can trust `path`.
 */

/** What kind of container a bundle source reads. */
export type BundleSourceType = 'folder' | 'zip' | 'tar.gz';

/** One entry of a bundle source. */
export interface SourceEntry {
  /** POSIX path relative to the root; never empty, never `..`, no leading `/`, no trailing `/`. */
  path: string;
  /** Regular file, directory or symlink (anything else is refused when the source is read). */
  type: 'file' | 'dir' | 'symlink';
  /** Uncompressed bytes of a file; 0 for directories and symlinks. */
  size: number;
  /** Permission bits (`mode & 0o7777`); 0o644 / 0o755 when the archive records none. */
  mode: number;
  /** Symlinks: the target exactly as stored. */
  linkTarget?: string;
  /** tar hard links: the earlier file whose content this entry shares. */
  hardlinkTo?: string;
  /** Folder sources: modification time, change time and inode, used by the scan cache. */
  mtimeMs?: number;
  /** Folder sources: status change time (catches content rewrites that preserve mtime). */
  ctimeMs?: number;
  /** Folder sources: inode number. */
  ino?: number;
  /** Zip sources: CRC-32 from the central directory. */
  crc32?: number;
}

/** Access to one file's content while a source visits it. */
export interface EntryContent {
  /** The whole content in memory; use for small files. */
  readAll(): Promise<Buffer>;
  /** The content as a sequence of chunks; use for big files. Call at most once. */
  chunks(): AsyncIterable<Buffer>;
  /** Folder sources: the file's absolute path on disk (lets copies use the kernel's copy). */
  localPath?: string;
}

/** Options of `BundleSource.visit`. */
export interface VisitOptions {
  /** How many visitor calls may run at once (random-access sources; tar.gz buffers small files to overlap). */
  concurrency?: number;
  /** Stops the visit between entries; it then rejects with CancelledError. */
  signal?: AbortSignal;
}

/** Called once per entry; `content` is set for regular files that are not tar hard links. */
export type EntryVisitor = (entry: SourceEntry, content: EntryContent | undefined) => Promise<void>;

/** A readable bundle: list its entries and read their content, without extracting anything. */
export interface BundleSource {
  /** Absolute path of the folder or archive. */
  readonly path: string;
  readonly type: BundleSourceType;
  /** True when files can be read in any order (folder, zip); false for tar.gz (one sequential pass). */
  readonly randomAccess: boolean;
  /** Every entry, sorted by path, after the safety checks. A tar.gz is read once to list it. */
  entries(options?: { signal?: AbortSignal }): Promise<SourceEntry[]>;
  /** Non-fatal observations made while reading (dangling symlinks, symlink loops…). */
  warnings(): string[];
  /** Visits every entry once (in path order; tar.gz in archive order) with its content. */
  visit(visitor: EntryVisitor, options?: VisitOptions): Promise<void>;
  /** Random-access sources: one file's whole content. */
  readFile(entry: SourceEntry): Promise<Buffer>;
  /** Random-access sources: one file's content as chunks. */
  readChunks(entry: SourceEntry): AsyncIterable<Buffer>;
  /**
   * Random-access sources: bytes `[offset, offset + length)` of a file (shorter at the end of the
   * file). Cheap for folders and stored zip entries; a deflated zip entry is inflated up to there.
   */
  readRange(entry: SourceEntry, offset: number, length: number): Promise<Buffer>;
  /** Releases file handles. */
  close(): Promise<void>;
}
