/** Bundle-relative folder the trace hook is linked into inside a traced view. */
export const TRACE_DIR = '.lambdafit-trace';

/** Marker that starts every trace line in the function's log. */
export const TRACE_MARKER = 'LAMBDAFIT_TRACE';

/**
 * Source of the CommonJS preload (`trace.cjs`, next to `loader.mjs`) (`NODE_OPTIONS=--require …`) that reports which bundle files a
 * Node function opens: files read through `fs` (which the CommonJS loader uses), ES modules
 * through a module-loader hook, and native libraries by reading `/proc/self/maps` after each
 * `process.dlopen` (so libraries pulled in by an addon's DT_NEEDED are seen too). Each file is
 * written once to stderr as `LAMBDAFIT_TRACE<TAB>path`, which the sandbox captures as log lines.
 */
export function nodeTraceHookSource(taskRoot: string): string {
  return `'use strict';
const fs = require('node:fs');
const root = ${JSON.stringify(taskRoot + '/')};
const seen = new Set();
const report = (p) => {
  try {
    if (typeof p !== 'string') p = p instanceof URL ? require('node:url').fileURLToPath(p) : String(p);
  } catch { return; }
  if (!p.startsWith(root) || seen.has(p)) return;
  seen.add(p);
  try { fs.writeSync(2, ${JSON.stringify(TRACE_MARKER)} + '\\t' + p.slice(root.length) + '\\n'); } catch {}
};
for (const name of ['readFileSync', 'openSync', 'readFile', 'open', 'createReadStream', 'readdirSync', 'readdir']) {
  const orig = fs[name];
  if (typeof orig !== 'function') continue;
  fs[name] = function (p, ...rest) { report(p); return orig.call(this, p, ...rest); };
}
for (const name of ['readFile', 'open', 'readdir']) {
  const orig = fs.promises[name];
  fs.promises[name] = function (p, ...rest) { report(p); return orig.call(this, p, ...rest); };
}
const dlopen = process.dlopen;
process.dlopen = function (module, filename, ...rest) {
  report(filename);
  try { return dlopen.call(this, module, filename, ...rest); } finally {
    try { for (const line of fs.readFileSync('/proc/self/maps', 'utf8').split('\\n')) { const i = line.indexOf(root); if (i >= 0) report(line.slice(i)); } } catch {}
  }
};
try {
  require('node:module').register(require('node:url').pathToFileURL(__dirname + '/loader.mjs').href);
} catch {}
`;
}

/** Source of the ES module loader hook the preload registers: it reports every bundle module loaded. */
export function nodeTraceLoaderSource(taskRoot: string): string {
  const root = JSON.stringify(`file://${taskRoot}/`);
  const prefix = JSON.stringify(`${TRACE_MARKER}\t`);
  return [
    "import { writeSync } from 'node:fs';",
    `const root = ${root};`,
    'export async function load(url, context, next) {',
    '  if (url.startsWith(root)) {',
    `    try { writeSync(2, ${prefix} + decodeURIComponent(url.slice(root.length)) + '\\n'); } catch {}`,
    '  }',
    '  return next(url, context);',
    '}',
    '',
  ].join('\n');
}

/** The bundle paths a traced run reported, from its log lines. Pure. */
export function parseTraceLines(logs: readonly string[]): Set<string> {
  const out = new Set<string>();
  const marker = `${TRACE_MARKER}\t`;
  for (const line of logs) {
    for (const part of line.split(/\r|\n/)) {
      const i = part.indexOf(marker);
      if (i >= 0) out.add(part.slice(i + marker.length).trim());
    }
  }
  return out;
}
