import { lstat, mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureRootSkeleton, planSkeleton, writeIdentityFiles } from '../../../src/core/sandbox/root-skeleton.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('root skeleton', () => {
  it('has the Lambda mount points, a minimal /dev without /dev/shm, and mirrors merged-/usr symlinks', () => {
    const entries = planSkeleton('node', [{ name: 'bin', kind: 'symlink', target: 'usr/bin' }, { name: 'lib64', kind: 'dir' }]);
    const paths = new Map(entries.map((e) => [e.path, e]));
    for (const p of ['var/task', 'var/runtime', 'var/lang/bin/node', 'opt', 'tmp', 'home/sbx_user1051', 'dev/null', 'dev/urandom', '.oldroot']) expect(paths.has(p), p).toBe(true);
    expect(paths.has('dev/shm')).toBe(false);
    expect(paths.get('bin')).toEqual({ path: 'bin', type: 'symlink', target: 'usr/bin' });
    expect(paths.get('dev/fd')?.target).toBe('/proc/self/fd');
    expect(planSkeleton('python', []).some((e) => e.path === 'var/lang/bin/node')).toBe(false);
  });

  it('is created once per spec and shared', async () => {
    const stage = await mkdtemp(join(tmpdir(), 'lambdafit-skel-'));
    dirs.push(stage);
    const [a, b] = await Promise.all([ensureRootSkeleton(stage, 'provided', [{ name: 'bin', kind: 'symlink', target: 'usr/bin' }]), ensureRootSkeleton(stage, 'provided', [{ name: 'bin', kind: 'symlink', target: 'usr/bin' }])]);
    expect(a).toBe(b);
    expect(await readlink(join(a, 'bin'))).toBe('usr/bin');
    expect(((await lstat(join(a, 'var', 'task'))).mode & 0o777).toString(8)).toBe('755');
  });

  it('adds sbx_user1051 (uid 993) to the passwd and group files the sandbox mounts', async () => {
    const stage = await mkdtemp(join(tmpdir(), 'lambdafit-skel-'));
    dirs.push(stage);
    const files = await writeIdentityFiles(stage);
    expect(await readFile(files.passwd, 'utf8')).toMatch(/^sbx_user1051:x:993:990::\/home\/sbx_user1051:\/sbin\/nologin$/m);
    expect(await readFile(files.group, 'utf8')).toMatch(/^sbx_user1051:x:990:$/m);
  });
});
