// Rules section of `npm run bench`: lambdafit's candidate search (list + classify + match the
// built-in rules, in process) against clean-modules' dry run on the same node_modules tree.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, sep } from 'node:path';
import { promisify } from 'node:util';
import { loadRuleSets } from '../src/core/rules/load-rule-sets.js';
import { matchRules } from '../src/core/rules/match-rules.js';
import type { Candidate } from '../src/core/rules/candidate.js';
import { listBundle } from '../src/core/scan/list-bundle.js';
import type { FileEntry } from '../src/core/scan/bundle-index.js';

const run = promisify(execFile);
const RUNS = 5;
const RULE_SETS = ['node-safe', 'native-foreign'];

interface CleanModulesReport {
  removedFiles: number;
  reducedSize: number;
  dryRun: boolean;
}

/**
 * Times lambdafit's candidate search against `clean-modules clean --dry-run --json` on `tree` (a
 * node_modules folder, or a folder that holds one), median of 5 runs each, interleaved after one
 * warm-up of each. clean-modules runs as its own process (started with `node` directly, so npx's
 * overhead is left out); a bare `node -e 0` start is timed too, so the table can show both.
 */
export async function runRulesBench(opts: { tree: string; log: (msg: string) => void }): Promise<{ markdown: string; results: Record<string, number> }> {
  const { log } = opts;
  const bundle = basename(opts.tree) === 'node_modules' ? dirname(opts.tree) : opts.tree;
  const nodeModules = join(bundle, 'node_modules');
  const { ruleSets, errors } = await loadRuleSets(RULE_SETS);
  if (errors.length > 0) throw new Error(`built-in rule sets do not load: ${errors.join('; ')}`);
  const cleanModulesBin = cleanModulesBinPath();
  // clean-modules also reads a `.cleanmodules` file from its working directory: give it an empty one.
  const cwd = await mkdtemp(join(tmpdir(), 'lambdafit-rules-bench-'));
  try {
    const ours = async () => {
      const listing = await listBundle({ path: bundle });
      return { files: listing.code.files, candidates: matchRules(listing.code.files, ruleSets) };
    };
    const theirs = async () => {
      const { stdout } = await run(process.execPath, [cleanModulesBin, 'clean', '--directory', nodeModules, '--dry-run', '--json', '--yes'], { cwd, maxBuffer: 64 << 20 });
      return JSON.parse(stdout) as CleanModulesReport;
    };

    log(`rules: warm-up on ${nodeModules}`);
    const first = await ours();
    const before = first.files.length;
    const report = await theirs();
    if (!report.dryRun) throw new Error('clean-modules did not run as a dry run');

    const ourMs: number[] = [];
    const theirMs: number[] = [];
    const startMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      ourMs.push(await timed(ours));
      theirMs.push(await timed(theirs));
      startMs.push(await timed(() => run(process.execPath, ['-e', '0'])));
      log(`rules: run ${i + 1}/${RUNS}: lambdafit ${ourMs[i]!.toFixed(0)} ms, clean-modules ${theirMs[i]!.toFixed(0)} ms`);
    }
    const matchMs: number[] = [];
    for (let i = 0; i < RUNS; i++) matchMs.push(await timed(async () => matchRules(first.files, ruleSets)));

    const after = (await listBundle({ path: bundle })).code.files.length;
    if (after !== before) throw new Error(`the tree changed during the benchmark (${before} → ${after} files): clean-modules' dry run deleted files`);

    const ourTotals = totalsByRisk(first.candidates);
    const results: Record<string, number> = {
      files: before,
      lambdafitMedianMs: median(ourMs),
      cleanModulesMedianMs: median(theirMs),
      nodeStartMedianMs: median(startMs),
      ratio: median(theirMs) / median(ourMs),
      matchOnlyMedianMs: median(matchMs),
      lambdafitSafeFiles: ourTotals.safe.files,
      lambdafitSafeBytes: ourTotals.safe.bytes,
      lambdafitAllFiles: ourTotals.all.files,
      lambdafitAllBytes: ourTotals.all.bytes,
      cleanModulesFiles: report.removedFiles,
      cleanModulesBytes: report.reducedSize,
    };
    return { markdown: markdown(results, first.files), results };
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

// clean-modules' exports hide package.json and bin/, so locate its folder from the main entry.
function cleanModulesBinPath(): string {
  const main = createRequire(import.meta.url).resolve('clean-modules');
  const marker = `${sep}node_modules${sep}clean-modules${sep}`;
  const root = main.slice(0, main.lastIndexOf(marker) + marker.length);
  const { bin } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: string | Record<string, string> };
  return join(root, typeof bin === 'string' ? bin : bin['clean-modules']!);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function totalsByRisk(candidates: Candidate[]): Record<'safe' | 'all', { files: number; bytes: number }> {
  const sum = (list: Candidate[]) => ({ files: list.reduce((n, c) => n + c.files.length, 0), bytes: list.reduce((n, c) => n + c.bytes, 0) });
  return { safe: sum(candidates.filter((c) => c.risk === 'safe')), all: sum(candidates) };
}

function markdown(r: Record<string, number>, files: FileEntry[]): string {
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const mb = (v: number) => `${(v / 1e6).toFixed(1)} MB`;
  const bytes = files.reduce((n, f) => n + f.bytes, 0);
  return `Candidate search on the benchmark corpus (${r.files!.toLocaleString('en')} files, ${mb(bytes)}): median of ${RUNS} runs each, interleaved, after one warm-up.

| | lambdafit (list + classify + match \`${RULE_SETS.join('`, `')}\`, in process) | clean-modules 3.1.1 \`clean --dry-run --json\` (own process) |
|---|---|---|
| Time | ${ms(r.lambdafitMedianMs!)} | ${ms(r.cleanModulesMedianMs!)} (of which ${ms(r.nodeStartMedianMs!)} is a bare \`node -e 0\` start) |
| Would remove | ${r.lambdafitSafeFiles!.toLocaleString('en')} files / ${mb(r.lambdafitSafeBytes!)} safe; ${r.lambdafitAllFiles!.toLocaleString('en')} files / ${mb(r.lambdafitAllBytes!)} with caution | ${r.cleanModulesFiles!.toLocaleString('en')} files / ${mb(r.cleanModulesBytes!)} (no risk levels) |

**Ratio: clean-modules takes ${r.ratio!.toFixed(2)}× lambdafit's time** (> 1 means lambdafit is faster). lambdafit's time includes
reading every file's size and the first 4 KB of each non-text file (to find foreign binaries by header); clean-modules stats only the
files its globs match. Rule matching alone, over the listed tree: ${ms(r.matchOnlyMedianMs!)} for ${r.files!.toLocaleString('en')} paths.
The dry run is verified not to delete anything (file count before and after).`;
}
