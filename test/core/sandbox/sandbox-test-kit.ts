import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LambdafitConfig } from '../../../src/core/config/config-schema.js';
import { resolveFunctionConfig } from '../../../src/core/config/resolve-function-config.js';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../../src/core/sandbox/create-sandbox.js';
import { detectHostCapabilities } from '../../../src/core/sandbox/host-capabilities.js';
import { packageRoot } from '../../../src/core/package-root.js';

/** A committed test function under fixtures/functions. */
export function fixture(name: string): string {
  return join(packageRoot(), 'fixtures', 'functions', name);
}

/** File contents, or contents with a mode. */
export type BundleFiles = Record<string, string | { content: string; mode: number }>;

const made: string[] = [];

/** Writes a bundle into a fresh folder under the OS temp dir; `removeBundles` deletes them. */
export async function makeBundle(files: BundleFiles): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lambdafit-test-'));
  await chmod(dir, 0o755);
  made.push(dir);
  for (const [path, spec] of Object.entries(files)) {
    const file = join(dir, path);
    await mkdir(dirname(file), { recursive: true, mode: 0o755 });
    const { content, mode } = typeof spec === 'string' ? { content: spec, mode: 0o644 } : spec;
    await writeFile(file, content);
    await chmod(file, mode);
  }
  return dir;
}

/** Removes every bundle `makeBundle` wrote. */
export async function removeBundles(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** Whether this host gives kernel isolation (root on Linux with cgroups). */
export async function kernelIsolation(): Promise<boolean> {
  return (await detectHostCapabilities('auto')).mode === 'kernel';
}

/** Opens a sandbox for a bundle with lambdafit.json-style settings. */
export async function openSandbox(bundleDir: string, config: LambdafitConfig = {}, options: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  const fn = await resolveFunctionConfig(bundleDir, config);
  return createSandbox({ bundleDir, fn, ...options });
}

/** The parsed JSON response (or error body) of an invocation. */
export function json<T = Record<string, unknown>>(value: unknown): T {
  return value as T;
}
