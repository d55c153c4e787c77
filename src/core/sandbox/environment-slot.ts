import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { registerForCleanup } from './cleanup-reaper.js';
import { createEnvironmentCgroup, type EnvironmentCgroup } from './environment-cgroup.js';
import type { HostCapabilities } from './host-capabilities.js';
import type { ResourcePlan } from './plan-resources.js';
import { nextResourceName } from './sandbox-owner.js';
import { copyTmpImage, ensureTmpTemplate } from './tmp-image.js';

/** The host-side resources of one kernel-isolated environment, made before its processes start. */
export interface EnvironmentSlot {
  /** Private staging folder (fstab, /tmp image). */
  envDir: string;
  /** The environment's cgroups, configured. */
  cgroup: EnvironmentCgroup;
  /** The environment's /tmp image, or undefined when /tmp is a tmpfs (no loop devices). */
  image?: string;
  /** Removes the cgroups and the folder (killing anything left in the cgroups). */
  release(): Promise<void>;
}

/** What a slot is made for. */
export interface SlotSpec {
  /** What this host can isolate, and with which tools. */
  caps: HostCapabilities;
  /** lambdafit's staging folder (skeletons, /tmp images, per-environment files). */
  stageRoot: string;
  /** Memory, CPU and process limits. */
  plan: ResourcePlan;
  /** /tmp size, MB. */
  ephemeralStorageMB: number;
}

const templates = new Map<string, Promise<string | undefined>>();

function template(spec: SlotSpec): Promise<string | undefined> {
  const tools = spec.caps.tools!;
  const key = `${spec.stageRoot}:${spec.ephemeralStorageMB}`;
  let t = templates.get(key);
  if (!t) {
    t =
      spec.caps.loopTmp && tools.mkfs && tools.debugfs && tools.cp
        ? ensureTmpTemplate(spec.stageRoot, spec.ephemeralStorageMB, { mkfs: tools.mkfs, debugfs: tools.debugfs, cp: tools.cp }).catch(() => undefined)
        : Promise.resolve(undefined);
    templates.set(key, t);
  }
  return t;
}

/** Makes a slot: staging folder, configured cgroups and a private copy of the /tmp image. */
export async function prepareSlot(spec: SlotSpec): Promise<EnvironmentSlot> {
  const envDir = join(spec.stageRoot, nextResourceName('env'));
  registerForCleanup('dir', envDir);
  await mkdir(envDir, { mode: 0o700 });
  let cgroup: EnvironmentCgroup | undefined;
  try {
    cgroup = await createEnvironmentCgroup(spec.caps.cgroups!, nextResourceName('lambdafit'), spec.plan);
    for (const dir of cgroup.dirs) registerForCleanup('cgroup', dir);
    const templatePath = await template(spec);
    let image: string | undefined;
    if (templatePath) {
      const tools = spec.caps.tools!;
      image = join(envDir, 'tmp.img');
      await copyTmpImage(templatePath, image, { mkfs: tools.mkfs!, debugfs: tools.debugfs!, cp: tools.cp! });
    }
    const group = cgroup;
    return {
      envDir,
      cgroup: group,
      image,
      async release() {
        await group.remove();
        await rm(envDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await cgroup?.remove();
    await rm(envDir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Keeps one slot prepared ahead, so that the next cold start (a `--cold` run, a scale-out in
 * `serve`, the fit loop's many runs) does not wait for the cgroup and the /tmp image copy. A slot
 * is made on demand the first time; the spare is made only after an environment finished its
 * init (`refill`), so it never competes with the cold start being measured.
 */
export class SlotReserve {
  private spare: Promise<EnvironmentSlot> | undefined;
  private closed = false;

  constructor(private readonly spec: SlotSpec) {}

  /** A ready slot: the spare if there is one, else a new one. */
  async take(): Promise<EnvironmentSlot> {
    const spare = this.spare;
    this.spare = undefined;
    if (spare) {
      const slot = await spare.catch(() => undefined);
      if (slot) return slot;
    }
    return prepareSlot(this.spec);
  }

  /** Starts preparing a spare if there is none. */
  refill(): void {
    if (this.closed || this.spare) return;
    const next = prepareSlot(this.spec);
    next.catch(() => undefined);
    this.spare = next;
  }

  /** Releases the spare. */
  async close(): Promise<void> {
    this.closed = true;
    const spare = this.spare;
    this.spare = undefined;
    if (spare) await (await spare.catch(() => undefined))?.release();
  }
}
