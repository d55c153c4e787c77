import { describe, expect, it } from 'vitest';
import { formatFstab, type MountPlanInput, planMounts } from '../../../src/core/sandbox/mount-plan.js';

const base: MountPlanInput = {
  family: 'node',
  rootDir: '/stage/skel-node',
  bundleDir: '/work/my fn',
  openRootDir: '/stage/open-root',
  bundleRootClosed: false,
  layers: [],
  runtimeDir: '/pkg/sandbox/node',
  nodeBinary: '/usr/bin/node',
  topLevel: [
    { name: 'bin', kind: 'symlink', target: 'usr/bin' },
    { name: 'lib64', kind: 'dir' },
  ],
  passwdFile: '/stage/etc-passwd',
  groupFile: '/stage/etc-group',
  tmp: { kind: 'ext4', image: '/stage/env-1/tmp.img' },
};

describe('planMounts', () => {
  it('puts the read-only root first, then the system, the bundle read-only at /var/task and /tmp', () => {
    const mounts = planMounts(base);
    expect(mounts[0]).toEqual({ source: '/stage/skel-node', target: '/.', type: 'none', options: 'bind,ro' });
    const byTarget = new Map(mounts.map((m) => [m.target, m]));
    expect(byTarget.get('/var/task')?.options).toContain('ro');
    expect(byTarget.get('/lib64')?.source).toBe('/lib64');
    expect(byTarget.has('/bin')).toBe(false);
    expect(byTarget.get('/proc')?.type).toBe('proc');
    expect(byTarget.get('/var/lang/bin/node')?.source).toBe('/usr/bin/node');
    expect(byTarget.get('/tmp')).toMatchObject({ type: 'ext4', options: expect.stringContaining('loop') });
    expect(byTarget.has('/opt')).toBe(false);
    expect(byTarget.has('/dev/shm')).toBe(false);
    expect(mounts.findIndex((m) => m.target === '/etc/passwd')).toBeGreaterThan(mounts.findIndex((m) => m.target === '/etc'));
  });

  it('merges layers read-only at /opt with later layers on top and a 0755 root', () => {
    expect(planMounts({ ...base, layers: ['/l/one'] }).find((m) => m.target === '/opt')?.options).toBe('ro,nosuid,nodev,lowerdir=/stage/open-root:/l/one');
    const merged = planMounts({ ...base, layers: ['/l/first', '/l/sec:ond'] }).find((m) => m.target === '/opt');
    expect(merged?.type).toBe('overlay');
    expect(merged?.options).toBe('ro,nosuid,nodev,lowerdir=/stage/open-root:/l/sec\\:ond:/l/first');
  });

  it('opens a bundle folder the Lambda user could not enter, as /var/task is 0755 on Lambda', () => {
    const task = planMounts({ ...base, bundleRootClosed: true }).find((m) => m.target === '/var/task');
    expect(task).toEqual({ source: 'overlay', target: '/var/task', type: 'overlay', options: 'ro,nosuid,nodev,lowerdir=/stage/open-root:/work/my fn' });
  });

  it('falls back to a sized tmpfs and mounts the Python prefix at /var/lang', () => {
    const mounts = planMounts({ ...base, family: 'python', pythonPrefix: '/opt/py', tmp: { kind: 'tmpfs', sizeMB: 1024 } });
    expect(mounts.find((m) => m.target === '/tmp')?.options).toContain('size=1024m,mode=1777');
    expect(mounts.find((m) => m.target === '/var/lang')?.source).toBe('/opt/py');
    expect(mounts.some((m) => m.target === '/var/lang/bin/node')).toBe(false);
  });

  it('escapes blanks in fstab fields', () => {
    const text = formatFstab(planMounts(base));
    expect(text).toContain('/work/my\\040fn /var/task none bind,ro,nosuid,nodev 0 0');
    expect(text.split('\n')[0]).toBe('/stage/skel-node /. none bind,ro 0 0');
  });
});
