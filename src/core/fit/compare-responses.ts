import type { OutputMismatch } from '../plan/fit-plan.js';

/** How {@link compareResponses} decides that two responses are the same. */
export interface CompareResponsesOptions {
  /** Event name recorded in each mismatch. */
  event: string;
  /**
   * Relative tolerance for numbers: `|a − b| ≤ tol · max(1, |a|, |b|)`. 0 means exact. Model steps
   * pass a looser one (the accuracy gate); pruning steps expect identical outputs.
   */
  numericTolerance: number;
  /** Dotted JSON paths to skip (`body.timing`, `items.*.id`); `*` matches one key or index. */
  ignore?: readonly string[];
  /** Mismatches reported at most (the comparison stops counting there). @default 20 */
  limit?: number;
}

const MAX_TEXT = 200;

function show(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

function ignored(path: string[], patterns: readonly string[][]): boolean {
  return patterns.some((p) => p.length <= path.length && p.every((seg, i) => seg === '*' || seg === path[i]));
}

/**
 * Compares a response with the golden one: deep JSON equality for everything that is not a
 * number, numbers within the relative tolerance, ignored paths skipped. A JSON string body (API
 * Gateway style `{"body": "{…}"}`) is compared as the JSON it holds, so a float inside it gets the
 * same tolerance. Returns the differences as data; empty means the same.
 */
export function compareResponses(expected: unknown, got: unknown, options: CompareResponsesOptions): OutputMismatch[] {
  const limit = options.limit ?? 20;
  const patterns = (options.ignore ?? []).map((p) => p.split('.').filter((s) => s !== '' && s !== '$'));
  const out: OutputMismatch[] = [];
  const add = (path: string[], a: unknown, b: unknown) => {
    if (out.length < limit) out.push({ event: options.event, path: path.length ? path.join('.') : '$', expected: show(a), got: show(b) });
  };
  const walk = (a: unknown, b: unknown, path: string[]): void => {
    if (out.length >= limit || ignored(path, patterns)) return;
    if (typeof a === 'number' && typeof b === 'number') {
      const tol = options.numericTolerance * Math.max(1, Math.abs(a), Math.abs(b));
      if (!(a === b || Math.abs(a - b) <= tol)) add(path, a, b);
      return;
    }
    if (typeof a === 'string' && typeof b === 'string' && a !== b) {
      const ja = parseJsonText(a);
      const jb = parseJsonText(b);
      if (ja !== undefined && jb !== undefined) return walk(ja.value, jb.value, path);
      return add(path, a, b);
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) return add([...path, 'length'], a.length, b.length);
      a.forEach((item, i) => walk(item, b[i], [...path, String(i)]));
      return;
    }
    if (isObject(a) && isObject(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      for (const k of keys) {
        if (!(k in a) || !(k in b)) {
          if (!ignored([...path, k], patterns)) add([...path, k], a[k], b[k]);
        } else walk(a[k], b[k], [...path, k]);
      }
      return;
    }
    if (a !== b) add(path, a, b);
  };
  walk(expected, got, []);
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJsonText(text: string): { value: unknown } | undefined {
  const t = text.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}
