import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, readlink, rename, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { SANDBOX_GID, SANDBOX_UID, SANDBOX_USER } from './sandbox-limits.js';

/** Which interpreter layout `/var/lang` gets. */
export type RuntimeFamily = 'node' | 'python' | 'provided';

/** A top-level host folder the sandbox root mirrors: bound read-only, or recreated as the same symlink. */
export interface TopLevelEntry {
  /** Folder name at the root, e.g. `lib64`. */
  name: string;
  /** A real folder (bound read-only) or a symlink (recreated). */
  kind: 'dir' | 'symlink';
  /** For symlinks, the link text (e.g. `usr/bin` on merged-/usr hosts). */
  target?: string;
}

/** One entry of the skeleton tree. */
export interface SkeletonEntry {
  /** Path relative to the skeleton root. */
  path: string;
  /** What to create there. */
  type: 'dir' | 'file' | 'symlink';
  /** For symlinks, the link text. */
  target?: string;
}

const TOP_LEVEL_CANDIDATES = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];
const DEVICES = ['null', 'zero', 'full', 'random', 'urandom'];

/** The host's /bin, /lib… as they are (real folders or merged-/usr symlinks). */
export async function readTopLevel(): Promise<TopLevelEntry[]> {
  const out: TopLevelEntry[] = [];
  for (const name of TOP_LEVEL_CANDIDATES) {
    const st = await lstat(`/${name}`).catch(() => undefined);
    if (!st) continue;
    if (st.isSymbolicLink()) out.push({ name, kind: 'symlink', target: await readlink(`/${name}`) });
    else if (st.isDirectory()) out.push({ name, kind: 'dir' });
  }
  return out;
}

/**
 * The mount-point tree of the sandbox root, like a Lambda environment's: `/var/task`,
 * `/var/runtime`, `/var/lang`, `/opt`, `/tmp`, `/home/sbx_user1051`, a minimal `/dev` (no
 * `/dev/shm`: Lambda has none, which is why multiprocessing queues fail there) and the host's
 * system folders to bind. It is shared by every environment of the same runtime family and is
 * mounted read-only.
 */
export function planSkeleton(family: RuntimeFamily, topLevel: TopLevelEntry[]): SkeletonEntry[] {
  // var/rapid is where Lambda keeps its own agent; here it receives the Runtime API socket of
  // network-isolated environments (root-only, so the function cannot reach it but through the relay).
  const dirs = ['usr', 'etc', 'dev', 'proc', 'sys', 'tmp', 'var', 'var/task', 'var/runtime', 'var/lang', 'var/rapid', 'opt', 'home', `home/${SANDBOX_USER}`, '.oldroot'];
  const entries: SkeletonEntry[] = dirs.map((path) => ({ path, type: 'dir' }));
  for (const t of topLevel) entries.push(t.kind === 'dir' ? { path: t.name, type: 'dir' } : { path: t.name, type: 'symlink', target: t.target });
  for (const d of DEVICES) entries.push({ path: `dev/${d}`, type: 'file' });
  entries.push({ path: 'dev/fd', type: 'symlink', target: '/proc/self/fd' });
  ['stdin', 'stdout', 'stderr'].forEach((s, i) => entries.push({ path: `dev/${s}`, type: 'symlink', target: `/proc/self/fd/${i}` }));
  if (family === 'node') entries.push({ path: 'var/lang/bin', type: 'dir' }, { path: 'var/lang/bin/node', type: 'file' });
  return entries;
}

/** An empty root-owned 0755 folder (the top layer that gives /var/task and /opt Lambda's mode). */
export async function ensureOpenRoot(stageRoot: string): Promise<string> {
  const dir = join(stageRoot, 'open-root');
  await mkdir(dir, { recursive: true, mode: 0o755 });
  await chmod(dir, 0o755);
  return dir;
}

/** Creates the skeleton once per spec (atomically, so concurrent lambdafit runs share it); returns its path. */
export async function ensureRootSkeleton(stageRoot: string, family: RuntimeFamily, topLevel: TopLevelEntry[]): Promise<string> {
  const entries = planSkeleton(family, topLevel);
  const hash = createHash('sha256').update(JSON.stringify(entries)).digest('hex').slice(0, 12);
  const dest = join(stageRoot, `skel-${family}-${hash}`);
  if (await lstat(dest).catch(() => undefined)) return dest;
  const tmp = `${dest}.tmp-${randomBytes(4).toString('hex')}`;
  await mkdir(tmp, { mode: 0o755 });
  await chmod(tmp, 0o755);
  for (const e of entries) {
    const p = join(tmp, e.path);
    if (e.type === 'dir') await mkdir(p, { mode: 0o755 });
    else if (e.type === 'file') await writeFile(p, '', { mode: 0o644 });
    else await symlink(e.target!, p);
  }
  await rename(tmp, dest).catch(async (err: NodeJS.ErrnoException) => {
    await rm(tmp, { recursive: true, force: true });
    if (err.code !== 'EEXIST' && err.code !== 'ENOTEMPTY') throw err;
  });
  return dest;
}

/**
 * `/etc/passwd` and `/etc/group` for the sandbox: the host's plus `sbx_user1051` (uid 993), so
 * that `os.userInfo()`, `getpass.getuser()` and `~` resolve as on Lambda. Written per process.
 */
export async function writeIdentityFiles(stageRoot: string): Promise<{ passwd: string; group: string }> {
  const hostPasswd = await readFile('/etc/passwd', 'utf8').catch(() => 'root:x:0:0:root:/root:/bin/sh\n');
  const hostGroup = await readFile('/etc/group', 'utf8').catch(() => 'root:x:0:\n');
  const user = `${SANDBOX_USER}:x:${SANDBOX_UID}:${SANDBOX_GID}::/home/${SANDBOX_USER}:/sbin/nologin\n`;
  const group = `${SANDBOX_USER}:x:${SANDBOX_GID}:\n`;
  const withUser = (text: string, line: string, id: number, field: number) =>
    text.split('\n').some((l) => l.split(':')[field] === String(id)) ? text : text.replace(/\n?$/, '\n') + line;
  const files = { passwd: join(stageRoot, 'etc-passwd'), group: join(stageRoot, 'etc-group') };
  for (const [path, text] of [
    [files.passwd, withUser(hostPasswd, user, SANDBOX_UID, 2)],
    [files.group, withUser(hostGroup, group, SANDBOX_GID, 2)],
  ] as const) {
    const tmp = `${path}.tmp-${randomBytes(4).toString('hex')}`;
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, path);
  }
  return files;
}
