import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Tools the ext4 /tmp needs. */
export interface TmpImageTools {
  /** Path of mkfs.ext4. */
  mkfs: string;
  /** Path of debugfs (e2fsprogs). */
  debugfs: string;
  /** Path of GNU cp (for sparse copies). */
  cp: string;
}

/**
 * Bytes of the image for a /tmp of `sizeMB`: ext4 keeps ~1.6 % for metadata and up to 16 MiB of
 * delayed-allocation reserve, so the image is that much larger and the free space `df` shows in
 * the sandbox is at least the configured size.
 */
export function tmpImageBytes(sizeMB: number): number {
  return (Math.ceil(sizeMB * 1.02) + 16) * 1024 * 1024;
}

/**
 * The /tmp of an environment is an ext4 file system on a loop device, not a tmpfs: tmpfs pages are
 * charged to the writer's memory cgroup and cannot be reclaimed without swap, so 400 MB in /tmp
 * would count as 400 MB of memory (and OOM a 512 MB function), while on Lambda /tmp is disk.
 * Page-cache pages of an ext4 file are reclaimable, so they neither OOM the function nor enter
 * Max Memory Used, which is read from the processes' resident sets.
 *
 * This makes the template once per size: sparse, no journal, lazily initialised inode tables
 * (mounted with `noinit_itable` so the kernel never zeroes them in the background), root folder
 * 1777 and no lost+found, as /tmp looks on Lambda. A copy of it costs a few hundred KB.
 */
export async function ensureTmpTemplate(stageRoot: string, sizeMB: number, tools: TmpImageTools): Promise<string> {
  const dest = join(stageRoot, `tmp-${sizeMB}m-v1.img`);
  if (await lstat(dest).catch(() => undefined)) return dest;
  const tmp = `${dest}.tmp-${randomBytes(4).toString('hex')}`;
  try {
    const handle = await open(tmp, 'w', 0o600);
    await handle.truncate(tmpImageBytes(sizeMB));
    await handle.close();
    await run(tools.mkfs, ['-q', '-F', '-t', 'ext4', '-O', '^has_journal', '-E', 'lazy_itable_init=1,lazy_journal_init=1,nodiscard,root_owner=0:0', '-m', '0', '-L', 'lambdafit-tmp', tmp]);
    await run(tools.debugfs, ['-w', '-R', 'sif <2> mode 041777', tmp]);
    await run(tools.debugfs, ['-w', '-R', 'rmdir lost+found', tmp]);
    await rename(tmp, dest);
  } finally {
    await rm(tmp, { force: true });
  }
  return dest;
}

/** A private sparse copy of the template for one environment. */
export async function copyTmpImage(template: string, dest: string, tools: TmpImageTools): Promise<void> {
  await run(tools.cp, ['--sparse=always', template, dest]);
}
