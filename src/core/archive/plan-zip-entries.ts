import { compareZipNames } from './zip-layout.js';

/** The minimum an entry must say about itself to be placed in a lambdafit zip. */
export interface ZipPlanInput {
  /** POSIX path relative to the zip root, no trailing `/`. */
  path: string;
  type: 'file' | 'dir' | 'symlink';
}

/** One entry of the zip in its final order, with the name as written. */
export interface PlannedZipEntry<T extends ZipPlanInput> {
  /** Entry name: `path`, plus `/` for directories. */
  name: string;
  /** The input entry, or undefined for a directory implied by the paths below it. */
  input: T | undefined;
  type: 'file' | 'dir' | 'symlink';
}

/**
 * Decides which entries a lambdafit zip holds and in which order. Directory entries are
 * included, both listed ones and every parent of a file (as `zip -r` does): they carry the 0755
 * mode Lambda wants and keep empty folders, at 46 + 30 + 2 × name bytes each. Sorted by
 * `compareZipNames`. Pure; the writer and the size predictor both use it.
 */
export function planZipEntries<T extends ZipPlanInput>(inputs: readonly T[]): PlannedZipEntry<T>[] {
  const byName = new Map<string, PlannedZipEntry<T>>();
  for (const input of inputs) {
    const name = input.type === 'dir' ? `${input.path}/` : input.path;
    byName.set(name, { name, input, type: input.type });
    for (let i = input.path.lastIndexOf('/'); i > 0; i = input.path.lastIndexOf('/', i - 1)) {
      const dir = `${input.path.slice(0, i)}/`;
      if (byName.has(dir)) break; // its own parents were added with it
      byName.set(dir, { name: dir, input: undefined, type: 'dir' });
    }
  }
  return [...byName.values()].sort((a, b) => compareZipNames(a.name, b.name));
}
