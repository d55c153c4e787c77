import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import picomatch from 'picomatch';
import { InputError } from '../errors.js';

/** One sample event. */
export interface SampleEvent {
  /** Where it came from (a path, or `(empty event)`). */
  name: string;
  /** The event bytes. */
  payload: Buffer;
}

async function walk(dir: string, out: string[]): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) await walk(p, out);
    else if (e.isFile()) out.push(p);
  }
}

/**
 * Reads the events to invoke with: `--event` files as given (in order), else the `events` globs of
 * lambdafit.json resolved against `baseDir` (sorted), else one empty JSON object, which is what
 * the Lambda console sends by default. Every event must be valid JSON, as the Invoke API requires.
 */
export async function resolveEventFiles(explicit: string[], configGlobs: string[], baseDir: string, cwd: string): Promise<SampleEvent[]> {
  const files: string[] = [];
  if (explicit.length > 0) {
    files.push(...explicit.map((f) => resolve(cwd, f)));
  } else if (configGlobs.length > 0) {
    const all: string[] = [];
    await walk(baseDir, all);
    for (const glob of configGlobs) {
      if (isAbsolute(glob) || !/[*?[{]/.test(glob)) {
        files.push(resolve(baseDir, glob));
        continue;
      }
      const match = picomatch(glob, { dot: false });
      const hits = all.filter((f) => match(relative(baseDir, f).split('\\').join('/'))).sort();
      if (hits.length === 0) throw new InputError(`lambdafit.json events: "${glob}" matches no file under ${baseDir}; fix the glob or pass --event FILE.`, 'E_EVENTS_NONE');
      files.push(...hits);
    }
  } else {
    return [{ name: '(empty event)', payload: Buffer.from('{}') }];
  }
  const events: SampleEvent[] = [];
  for (const file of files) {
    const payload = await readFile(file).catch((err: NodeJS.ErrnoException) => {
      throw new InputError(`Cannot read event file ${file} (${err.code}); check the --event path.`, 'E_EVENT_UNREADABLE');
    });
    try {
      JSON.parse(payload.toString('utf8'));
    } catch (err) {
      throw new InputError(`Event file ${file} is not valid JSON (${(err as Error).message}); Lambda's Invoke API only accepts JSON events.`, 'E_EVENT_JSON');
    }
    events.push({ name: file, payload });
  }
  return events;
}
