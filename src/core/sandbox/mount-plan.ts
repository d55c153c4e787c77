import type { RuntimeFamily, TopLevelEntry } from './root-skeleton.js';

/** Everything the fstab of one environment depends on. */
export interface MountPlanInput {
  /** Which interpreter layout /var/lang gets. */
  family: RuntimeFamily;
  /** Host folder of the read-only root skeleton (see root-skeleton.ts). */
  rootDir: string;
  /** Host folder mounted read-only at /var/task. */
  bundleDir: string;
  /**
   * An empty root-owned 0755 folder. Lambda's /var/task and /opt are 0755 whatever folder the code
   * came from; a bundle folder the Lambda user cannot enter (a 0700 temp folder) is therefore
   * mounted under it with a read-only overlay, which takes the root's mode from its top layer.
   */
  openRootDir: string;
  /** The bundle folder's own mode lacks o+rx. */
  bundleRootClosed: boolean;
  /** Host layer folders in Lambda's order; later layers win, as when Lambda extracts them in order. */
  layers: string[];
  /** Host folder mounted read-only at /var/runtime (lambdafit's runtime), if the family has one. */
  runtimeDir?: string;
  /** Host Node binary bound at /var/lang/bin/node (family `node`). */
  nodeBinary?: string;
  /** Host Python prefix bound at /var/lang (family `python`). */
  pythonPrefix?: string;
  /** The host's /bin, /lib… as folders to bind or symlinks already in the skeleton. */
  topLevel: TopLevelEntry[];
  /** Host folder holding the Runtime API socket, bound at /var/rapid (network-isolated environments). */
  apiSocketDir?: string;
  /** Generated /etc/passwd with the sandbox user. */
  passwdFile: string;
  /** Generated /etc/group with the sandbox group. */
  groupFile: string;
  /** /tmp: an ext4 image on a loop device, or a tmpfs of `sizeMB` when loop devices are unavailable. */
  tmp: { kind: 'ext4'; image: string } | { kind: 'tmpfs'; sizeMB: number };
}

/** One mount, in fstab terms (target relative to the sandbox root). */
export interface PlannedMount {
  /** Host path, or the file system name (`proc`, `tmpfs`, `overlay`). */
  source: string;
  /** Mount point inside the sandbox root. */
  target: string;
  /** File system type (`none` for bind mounts). */
  type: string;
  /** Mount options, comma-separated. */
  options: string;
}

/** fstab fields escape blanks and backslashes as octal (`\040`), as libmount expects. */
function escapeField(value: string): string {
  return value.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/** overlayfs separates lowerdirs with ':' and so needs ':' and ',' escaped inside a path. */
function escapeLowerdir(path: string): string {
  return path.replace(/([:,\\])/g, '\\$1');
}

/**
 * Plans the mounts that turn the read-only skeleton into a Lambda file system: host system folders
 * read-only, /etc with the sandbox user added, a handful of device nodes, a fresh /proc for the
 * PID namespace, the bundle read-only at /var/task, layers merged read-only at /opt, the runtime
 * at /var/runtime and /var/lang, and /tmp.
 * Order matters: a mount on a path inside another comes after it, and the root comes first.
 */
export function planMounts(input: MountPlanInput): PlannedMount[] {
  const ro = (source: string, target: string, extra = ''): PlannedMount => ({ source, target, type: 'none', options: `bind,ro${extra}` });
  // The skeleton bound read-only onto itself becomes the new root. `mount -a` skips an entry whose
  // target is "/", so it is written "/." (the same path), which lets one `mount -a` build it all:
  // mounting onto folders of a read-only mount is allowed.
  const mounts: PlannedMount[] = [ro(input.rootDir, '/.'), ro('/usr', '/usr')];
  for (const t of input.topLevel) if (t.kind === 'dir') mounts.push(ro(`/${t.name}`, `/${t.name}`));
  mounts.push(ro('/etc', '/etc'), ro(input.passwdFile, '/etc/passwd'), ro(input.groupFile, '/etc/group'));
  for (const d of ['null', 'zero', 'full', 'random', 'urandom']) mounts.push({ source: `/dev/${d}`, target: `/dev/${d}`, type: 'none', options: 'bind' });
  mounts.push({ source: 'proc', target: '/proc', type: 'proc', options: 'nosuid,nodev,noexec' });
  mounts.push(ro('/sys', '/sys', ',nosuid,nodev,noexec'));
  const overlay = (target: string, lowerTopFirst: string[]): PlannedMount => ({
    source: 'overlay',
    target,
    type: 'overlay',
    options: `ro,nosuid,nodev,lowerdir=${[input.openRootDir, ...lowerTopFirst].map(escapeLowerdir).join(':')}`,
  });
  mounts.push(input.bundleRootClosed ? overlay('/var/task', [input.bundleDir]) : ro(input.bundleDir, '/var/task', ',nosuid,nodev'));
  // Later layers win, as when Lambda extracts them in order; overlayfs puts the first lowerdir on top.
  if (input.layers.length > 0) mounts.push(overlay('/opt', [...input.layers].reverse()));
  if (input.runtimeDir) mounts.push(ro(input.runtimeDir, '/var/runtime', ',nosuid,nodev'));
  if (input.family === 'node' && input.nodeBinary) mounts.push(ro(input.nodeBinary, '/var/lang/bin/node'));
  if (input.family === 'python' && input.pythonPrefix) mounts.push(ro(input.pythonPrefix, '/var/lang'));
  if (input.apiSocketDir) mounts.push({ source: input.apiSocketDir, target: '/var/rapid', type: 'none', options: 'bind,nosuid,nodev,noexec' });
  if (input.tmp.kind === 'ext4') {
    mounts.push({ source: input.tmp.image, target: '/tmp', type: 'ext4', options: 'loop,nosuid,nodev,noinit_itable' });
  } else {
    mounts.push({ source: 'tmpfs', target: '/tmp', type: 'tmpfs', options: `size=${input.tmp.sizeMB}m,mode=1777,nosuid,nodev` });
  }
  return mounts;
}

/** The plan as an fstab file for `mount -a --fstab FILE --target-prefix ROOT`. */
export function formatFstab(mounts: PlannedMount[]): string {
  return mounts.map((m) => `${escapeField(m.source)} ${escapeField(m.target)} ${m.type} ${escapeField(m.options)} 0 0`).join('\n') + '\n';
}
