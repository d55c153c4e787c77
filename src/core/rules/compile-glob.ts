import picomatch from 'picomatch';

/**
 * A glob compiled with picomatch (`{ dot: true }`) into a folder test and a base-name test, so
 * that a matcher can evaluate each once per distinct folder and per distinct file name instead of
 * once per path. `split`: the file matches when its folder passes `dir` and its name passes
 * `base` (absent: any name). `full`: a glob whose braces span folders (`{a/b,c}`) or whose last
 * segment holds `**`; only the whole-path regex can answer.
 */
export type CompiledGlob =
  | {
      glob: string;
      shape: 'split';
      dir: (dir: string) => boolean;
      base?: (name: string) => boolean;
      baseRe?: RegExp;
      /**
       * Every name `base` accepts ends with one of these (lower-cased for a case-insensitive
       * glob); absent when the name part can end in anything it cannot tell (`*`, `[…]`, `!(…)`).
       * A cheap filter: the strings are not exact, only never too strict.
       */
      baseSuffixes?: string[];
      /** When the name part is `*` and literal text (`isStarLiteral`): a name matches exactly when it has one of `baseSuffixes`. */
      baseExact?: boolean;
    }
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
  const re = last === '**' ? undefined : picomatch.makeRe(last, options);
  // Absent parts are set to undefined, so that all split globs share one object shape.
  return {
    glob: label,
    shape: 'split',
    dir: folderTest(dirParts, options),
    base: re && ((name) => re.test(name)),
    baseRe: re,
    baseSuffixes: re && literalSuffixes(last, nocase),
    baseExact: re && isStarLiteral(last),
  };
}

/** Whether a file path matches a compiled glob; for one-off tests (matchers memoize instead). */
export function globMatches(compiled: CompiledGlob, path: string): boolean {
  if (compiled.shape === 'full') return compiled.test(path);
  const slash = path.lastIndexOf('/');
  return compiled.dir(slash < 0 ? '' : path.slice(0, slash)) && (compiled.base?.(path.slice(slash + 1)) ?? true);
}

/**
 * The folder part's test, behind a cheap gate: a folder can only match if it contains the literal
 * ending of some non-`**` part (`prebuilds` for the parts `**`, `prebuilds`, `!(x)`, `**`), and
 * most folders of a tree contain none, so `includes` settles them before any slicing or regex.
 */
function folderTest(parts: readonly string[], options: picomatch.PicomatchOptions): (dir: string) => boolean {
  const test = folderShapeTest(parts, options);
  const required = options.nocase ? undefined : requiredText(parts);
  return required ? (dir) => includesAny(dir, required) && test(dir) : test;
}

/**
 * Strings one of which every folder matching `parts` contains: the literal endings of its most
 * telling part. Undefined when no part tells (all `**`, wildcards only) or some part is not a
 * plain glob (`isPlainGlob`).
 */
function requiredText(parts: readonly string[]): string[] | undefined {
  if (!parts.every((part) => part === '**' || isPlainGlob(part))) return undefined;
  let best: string[] | undefined;
  let bestLength = 0;
  for (const part of parts) {
    if (part.includes('**')) continue;
    const ends = literalSuffixes(part, false);
    const shortest = ends ? Math.min(...ends.map((e) => e.length)) : 0;
    if (ends && ends.length <= 8 && shortest > bestLength) [best, bestLength] = [ends, shortest];
  }
  return best;
}

function includesAny(text: string, parts: readonly string[]): boolean {
  for (let i = 0; i < parts.length; i++) if (text.includes(parts[i]!)) return true;
  return false;
}

function folderShapeTest(parts: readonly string[], options: picomatch.PicomatchOptions): (dir: string) => boolean {
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

// Characters that stand for themselves in a plain glob; anything else ends the literal tail.
const PLAIN = /^[A-Za-z0-9._-]$/;
// Plain characters (no `..`), single stars not followed by a brace, and flat brace lists of those.
const PLAIN_GLOB = /^(?:[A-Za-z0-9_-]|\.(?!\.)|\*(?![*{])|\{(?:[A-Za-z0-9_,-]|\.(?!\.)|\*(?!\*))*\})*$/;

/**
 * Whether a one-segment glob uses only the plain part of glob syntax: literal characters, `*`
 * and flat brace lists. Only for those does picomatch's regex keep the text literal, so only they
 * are read for literal endings. Anything else may be rebuilt: picomatch turns `{1..3}x.md` into a
 * regex that leaves the dot unescaped (it matches `1xzmd`), and POSIX classes and extglobs do
 * the same. Such globs are simply left to their regex.
 */
export function isPlainGlob(pattern: string): boolean {
  return PLAIN_GLOB.test(pattern);
}
// Expanding nested lists multiplies alternatives: past this many, the shorter tail found so far is kept.
const MAX_SUFFIXES = 256;

/**
 * The literal endings of a one-segment glob: the plain characters and brace lists after its
 * last wildcard, expanded (`*.{md,txt}` → `.md`, `.txt`; `{a.json,b.*.json}` → `a.json`,
 * `.json`). Undefined when some ending is empty (`*`, `a{,*}`) or the glob is not plain
 * (`isPlainGlob`).
 */
export function literalSuffixes(pattern: string, nocase: boolean): string[] | undefined {
  if (!isPlainGlob(pattern)) return undefined;
  const { ends } = literalTail(pattern);
  if (ends.includes('')) return undefined;
  return [...new Set(nocase ? ends.map((s) => s.toLowerCase()) : ends)];
}

/**
 * Whether a one-segment glob is `*` followed by literal text (plain characters and brace lists:
 * `*.md`, `*.d.{ts,mts}`). With `dot`, picomatch's `*` then takes any name but `.` and `..`, so
 * the glob matches exactly the names that end with one of its `literalSuffixes`, which are
 * never those two.
 */
export function isStarLiteral(pattern: string): boolean {
  if (!pattern.startsWith('*') || !isPlainGlob(pattern)) return false;
  const { ends, whole } = literalTail(pattern.slice(1));
  return whole && !ends.some((end) => end === '' || end === '.' || end === '..');
}

/**
 * Strings one of which ends every name the plain glob `pattern` matches; `whole` when every name
 * is one of them exactly. Tokens are read from the left, so braces are recognised where picomatch
 * sees them; the tail is then built from the right until the first token that is not literal.
 */
function literalTail(pattern: string): { ends: string[]; whole: boolean } {
  const tokens: (string | string[] | undefined)[] = [];
  for (let i = 0; i < pattern.length; ) {
    // Plain globs have flat brace lists; one without a comma is literal text to picomatch, which
    // this reads as a non-literal token (safe: the tail just stops there).
    const close = pattern[i] === '{' ? pattern.indexOf('}', i) : -1;
    if (close > 0) {
      const alternatives = pattern.slice(i + 1, close).split(',');
      tokens.push(alternatives.length > 1 ? alternatives : undefined);
      i = close + 1;
    } else {
      tokens.push(PLAIN.test(pattern[i]!) ? pattern[i]! : undefined);
      i++;
    }
  }
  let ends = [''];
  for (let t = tokens.length - 1; t >= 0; t--) {
    const token = tokens[t];
    if (typeof token === 'string') {
      ends = ends.map((s) => token + s);
      continue;
    }
    if (!token) return { ends, whole: false };
    const tails = token.map(literalTail);
    const count = tails.reduce((n, tail) => n + tail.ends.length, 0) * ends.length;
    if (count > MAX_SUFFIXES) return { ends, whole: false };
    ends = tails.flatMap((tail) => tail.ends.flatMap((e) => ends.map((s) => e + s)));
    if (!tails.every((tail) => tail.whole)) return { ends, whole: false };
  }
  return { ends, whole: true };
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
