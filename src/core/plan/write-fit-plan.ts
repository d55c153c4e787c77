import { resolve } from 'node:path';
import { InputError } from '../errors.js';
import { writeChunksAtomically } from '../write-chunks-atomically.js';
import type { FitPlan } from './fit-plan.js';

/**
 * Writes a plan as indented JSON atomically: a temp file in the same folder, then a rename, so a
 * reader never sees half a plan and a failed write leaves the old one in place.
 */
export async function writeFitPlan(path: string, plan: FitPlan): Promise<void> {
  const out = resolve(path);
  try {
    await writeChunksAtomically(out, [Buffer.from(JSON.stringify(plan, null, 2) + '\n')]);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new InputError(`Cannot write the plan to ${out} (${code}); check that the folder exists and is writable, or pass another --out.`, 'E_PLAN_WRITE', { cause: err });
  }
}
