import { describe, expect, it } from 'vitest';
import { controllerHome, parseCgroupLayout } from '../../../src/core/sandbox/cgroup-layout.js';

const V1_MOUNTS = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

describe('parseCgroupLayout', () => {
  it('reads a v1 host where this process sits in a nested memory cgroup', () => {
    const layout = parseCgroupLayout('8:pids:/\n4:memory:/process_api/abc\n2:cpuacct:/\n1:cpu:/\n0::/\n', V1_MOUNTS, 'hugetlb\n');
    expect(layout.v1.memory).toBe('/sys/fs/cgroup/memory/process_api/abc');
    expect(layout.v1.cpu).toBe('/sys/fs/cgroup/cpu');
    expect(layout.v1.cpuacct).toBe('/sys/fs/cgroup/cpuacct');
    expect(layout.v1.pids).toBe('/sys/fs/cgroup/pids');
    expect(layout.v2?.controllers).toEqual(['hugetlb']);
    expect(controllerHome(layout, 'memory')).toBe('v1');
  });

  it('handles co-mounted cpu,cpuacct hierarchies', () => {
    const mounts = '30 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n31 25 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n';
    const layout = parseCgroupLayout('3:cpu,cpuacct:/user.slice\n2:memory:/user.slice\n', mounts);
    expect(layout.v1.cpu).toBe('/sys/fs/cgroup/cpu,cpuacct/user.slice');
    expect(layout.v1.cpuacct).toBe(layout.v1.cpu);
    expect(layout.v2).toBeUndefined();
  });

  it('reads a v2-only host and finds which controllers it offers', () => {
    const mounts = '30 25 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n';
    const layout = parseCgroupLayout('0::/user.slice/user-1000.slice/session-2.scope\n', mounts, 'cpuset cpu io memory hugetlb pids rdma misc\n');
    expect(layout.v1).toEqual({});
    expect(layout.v2?.ownDir).toBe('/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope');
    expect(controllerHome(layout, 'memory')).toBe('v2');
    expect(controllerHome(layout, 'pids')).toBe('v2');
    expect(controllerHome(layout, 'cpuacct')).toBe('v2');
  });

  it('maps a container whose cgroup namespace root is a sub-cgroup', () => {
    const mounts = '500 400 0:26 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n';
    const layout = parseCgroupLayout('0::/docker/abc/app\n', mounts, 'memory pids cpu\n');
    expect(layout.v2?.ownDir).toBe('/sys/fs/cgroup/app');
  });

  it('reports no home for a controller nobody mounts', () => {
    const layout = parseCgroupLayout('1:cpu:/\n', '32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n');
    expect(controllerHome(layout, 'memory')).toBeUndefined();
  });
});
