import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { FitPlan } from './fit-plan.js';

/**
 * Writes a plan as indented JSON atomically: a temp file in the same folder, then a rename, so a
 * reader never sees half a plan and a failed write leaves the old one in place.
 */
export async function writeFitPlan(path: string, plan: FitPlan): Promise<void> {
  const out = resolve(path);
  const tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(tmp, JSON.stringify(plan, null, 2) + '\n', { flag: 'wx' });
    await rename(tmp, out);
  } catch (err) {
    await rm(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new InputError(`Cannot write the plan to ${out} (${code}); check that the folder exists and is writable, or pass another --out.`, 'E_PLAN_WRITE', { cause: err });
  }
}
