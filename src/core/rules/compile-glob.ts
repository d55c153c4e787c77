import picomatch from 'picomatch';

/**
 * A glob compiled with picomatch (`{ dot: true }`) into a folder test and a base-name test, so
 * that a matcher can evaluate each once per distinct folder and per distinct file name instead of
 * once per path. `split`: the file matches when its folder passes `dir` and its name passes
 * `base` (absent: any name). `full`: a glob whose braces span folders (`{a/b,c}`) or whose last
 * segment holds `**`; only the whole-path regex can answer.
 */
export type CompiledGlob =
  | { glob: string; shape: 'split'; dir: (dir: string) => boolean; base?: (name: string) => boolean; baseRe?: RegExp }
  | { glob: string; shape: 'full'; test: (path: string) => boolean };

/**
 * Compiles one glob. `a/b/*.js` becomes folder `a/b` + name `*.js`; a trailing `/**` becomes
 * folder `…/**` (the folder itself or anything below it) + any name. That split is exact for
 * picomatch's segment semantics, with one deliberate difference: a trailing `/**` selects files
 * *inside* a folder and never a file that merely has the folder's name (picomatch lets `test/**`
 * match a file called `test`). `label` is the glob reported in reasons (before variables were
 * substituted).
 */
export function compileGlob(glob: string, nocase = false, label = glob): CompiledGlob {
  const options = { dot: true, nocase };
  const parts = splitSegments(glob);
  const last = parts?.[parts.length - 1];
  if (!parts || last === undefined || (last !== '**' && last.includes('**'))) {
    const re = picomatch.makeRe(glob.endsWith('/**') ? `${glob}/*` : glob, options);
    return { glob: label, shape: 'full', test: (path) => re.test(path) };
  }
  const dirParts = last === '**' ? parts : parts.slice(0, -1);
  const compiled: CompiledGlob = { glob: label, shape: 'split', dir: folderTest(dirParts, options) };
  if (last !== '**') {
    const re = picomatch.makeRe(last, options);
    compiled.base = (name) => re.test(name);
    compiled.baseRe = re;
  }
  return compiled;
}

/** Whether a file path matches a compiled glob; for one-off tests (matchers memoize instead). */
export function globMatches(compiled: CompiledGlob, path: string): boolean {
  if (compiled.shape === 'full') return compiled.test(path);
  const slash = path.lastIndexOf('/');
  return compiled.dir(slash < 0 ? '' : path.slice(0, slash)) && (compiled.base?.(path.slice(slash + 1)) ?? true);
}

function folderTest(parts: readonly string[], options: picomatch.PicomatchOptions): (dir: string) => boolean {
  const simple = (part: string | undefined) => part !== undefined && !part.includes('**');
  const segment = (part: string) => {
    const re = picomatch.makeRe(part, options);
    return (name: string) => re.test(name);
  };
  if (parts.length === 0) return (dir) => dir === '';
  if (parts.every((p) => p === '**')) return () => true;
  // The common folder shapes test one short segment at a time instead of running picomatch's
  // whole-path regex, whose `**` looks ahead at every character.
  if (parts.length === 3 && parts[0] === '**' && parts[2] === '**' && simple(parts[1])) {
    const test = segment(parts[1]!);
    return (dir) => {
      if (dir === '') return false;
      for (let start = 0; ; ) {
        const slash = dir.indexOf('/', start);
        if (test(slash < 0 ? dir.slice(start) : dir.slice(start, slash))) return true;
        if (slash < 0) return false;
        start = slash + 1;
      }
    };
  }
  if (parts.length === 2 && parts[1] === '**' && simple(parts[0])) {
    const test = segment(parts[0]!);
    return (dir) => {
      const slash = dir.indexOf('/');
      return dir !== '' && test(slash < 0 ? dir : dir.slice(0, slash));
    };
  }
  if (parts.length === 2 && parts[0] === '**' && simple(parts[1])) {
    const test = segment(parts[1]!);
    return (dir) => dir !== '' && test(dir.slice(dir.lastIndexOf('/') + 1));
  }
  if (parts.length === 1 && simple(parts[0])) {
    const test = segment(parts[0]!);
    return (dir) => dir !== '' && !dir.includes('/') && test(dir);
  }
  // `x/**` must accept the folder x itself (the file sits directly in it) as well as anything
  // below; picomatch does, and the explicit test of `x` keeps that true for every picomatch
  // version. The bundle root is '', which only an all-`**` folder glob can match.
  const re = picomatch.makeRe(parts.join('/'), options);
  if (parts[parts.length - 1] !== '**') return (dir) => re.test(dir);
  const inner = parts.slice(0, -1);
  const exact = inner.length === 0 || inner.every((p) => p === '**') ? undefined : picomatch.makeRe(inner.join('/'), options);
  return (dir) => dir !== '' && (re.test(dir) || (exact?.test(dir) ?? false));
}

/**
 * Splits a glob at the `/` that separate segments, ignoring those inside `{…}`, `(…)` and
 * `[…]`. Returns undefined when a group spans segments (`{a/b,c}`).
 */
export function splitSegments(glob: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\') i++;
    else if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') depth--;
    else if (c === '/') {
      if (depth > 0) return undefined;
      parts.push(glob.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(glob.slice(start));
  return parts;
}
