import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** cgroup controllers the sandbox uses. `cpuacct` exists only in v1; v2 reports CPU time in cpu.stat. */
export type CgroupController = 'memory' | 'cpu' | 'cpuacct' | 'pids';

/** Where this process sits in the cgroup hierarchies, per controller. */
export interface CgroupLayout {
  /** v1 controllers mounted on this host → this process's cgroup folder in that hierarchy. */
  v1: Partial<Record<CgroupController, string>>;
  /** The v2 (unified) hierarchy, when mounted. */
  v2?: {
    mountPoint: string;
    /** This process's cgroup folder in it. */
    ownDir: string;
    /** Controllers the v2 root offers (those not bound to a v1 hierarchy). */
    controllers: string[];
  };
}

const CONTROLLERS: CgroupController[] = ['memory', 'cpu', 'cpuacct', 'pids'];

interface MountLine {
  root: string;
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

function parseMountinfo(text: string): MountLine[] {
  const out: MountLine[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const fields = left.split(' ');
    const [fsType, , superOptions] = right.split(' ');
    if (!fsType || fields.length < 5) continue;
    const unescape = (s: string) => s.replace(/\\(\d{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
    out.push({ root: unescape(fields[3]!), mountPoint: unescape(fields[4]!), fsType, superOptions: (superOptions ?? '').split(',') });
  }
  return out;
}

/** Joins a mount point and a cgroup path, honouring a mount whose root is a sub-cgroup (containers). */
function dirFor(mount: MountLine, cgroupPath: string): string {
  const under = (rel: string) => (rel === '' || rel === '/' ? mount.mountPoint : join(mount.mountPoint, rel));
  if (mount.root === '/' || mount.root === '') return under(cgroupPath);
  if (cgroupPath === mount.root || cgroupPath.startsWith(mount.root + '/')) return under(cgroupPath.slice(mount.root.length));
  return mount.mountPoint;
}

/**
 * Parses `/proc/self/cgroup` and `/proc/self/mountinfo` into the folders this process's child
 * cgroups must be created under. Hosts differ: cgroup v1 (controllers in separate hierarchies, maybe
 * co-mounted like `cpu,cpuacct`), v2 only, or hybrid; and this process may already sit in a
 * non-root cgroup, whose limits its children must stay inside. `v2Controllers` is the content of
 * the v2 root's `cgroup.controllers`.
 */
export function parseCgroupLayout(procSelfCgroup: string, mountinfo: string, v2Controllers = ''): CgroupLayout {
  const mounts = parseMountinfo(mountinfo);
  const paths = new Map<string, string>();
  let unifiedPath: string | undefined;
  for (const line of procSelfCgroup.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === '0' && m[2] === '') unifiedPath = m[3]!;
    for (const c of m[2]!.split(',')) if (c) paths.set(c, m[3]!);
  }
  const layout: CgroupLayout = { v1: {} };
  for (const controller of CONTROLLERS) {
    const mount = mounts.find((mt) => mt.fsType === 'cgroup' && mt.superOptions.includes(controller));
    const path = paths.get(controller);
    if (mount && path !== undefined) layout.v1[controller] = dirFor(mount, path);
  }
  const v2 = mounts.find((mt) => mt.fsType === 'cgroup2');
  if (v2 && unifiedPath !== undefined) {
    layout.v2 = {
      mountPoint: v2.mountPoint,
      ownDir: dirFor(v2, unifiedPath),
      controllers: v2Controllers.split(/\s+/).filter(Boolean),
    };
  }
  return layout;
}

/** Reads this host's cgroup layout from /proc. */
export async function readCgroupLayout(): Promise<CgroupLayout> {
  const [cgroup, mountinfo] = await Promise.all([readFile('/proc/self/cgroup', 'utf8'), readFile('/proc/self/mountinfo', 'utf8')]);
  const partial = parseCgroupLayout(cgroup, mountinfo);
  if (!partial.v2) return partial;
  const controllers = await readFile(join(partial.v2.mountPoint, 'cgroup.controllers'), 'utf8').catch(() => '');
  return parseCgroupLayout(cgroup, mountinfo, controllers);
}

/** Which hierarchy serves each controller the sandbox needs; undefined when neither does. */
export function controllerHome(layout: CgroupLayout, controller: CgroupController): 'v1' | 'v2' | undefined {
  if (layout.v1[controller]) return 'v1';
  if (controller === 'cpuacct') return layout.v2 ? 'v2' : undefined;
  return layout.v2?.controllers.includes(controller) ? 'v2' : undefined;
}
