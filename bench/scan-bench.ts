import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openBundleSource } from '../src/core/archive/open-bundle-source.js';
import { writeZipFromSource } from '../src/core/archive/write-zip-from-source.js';
import { listBundle } from '../src/core/scan/list-bundle.js';
import { scanBundle } from '../src/core/scan/scan-bundle.js';

/** Options of `runScanBench`. */
export interface ScanBenchOptions {
  /** A folder to measure: a large real node_modules (30,000+ files). */
  tree: string;
  /** A second folder measured the same way, e.g. the demo bundle with its 265 MB model. */
  demoTree?: string;
  /** Progress lines. */
  log: (msg: string) => void;
  /** Timed runs of the listing and of `du -sb` (after one warm-up each). Default 5. */
  listRuns?: number;
  /** Timed cached re-scans. Default 3. */
  rescanRuns?: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

async function timeIt(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function spawnTimed(cmd: string, args: string[], cwd?: string): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr?.toString()}`);
  return ms;
}

const fmtMs = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const fmtBytes = (n: number): string => n.toLocaleString('en-US');

/**
 * Measures the scan against real peers on one tree, in the same run, all with a warm page cache:
 * (a) listing + classification (in-process, warm, median) vs `du -sb` (spawned, median);
 * (b) a full scan with compressed sizes on a cold cache vs `zip -r -6 -q -y` of the same tree
 *     (time), and the predicted zip size vs zip's and vs lambdafit's own writer's actual bytes;
 * (c) a cached re-scan (median) vs the first scan.
 * Returns a markdown table and the raw figures.
 */
async function measureTree(treePath: string, opts: ScanBenchOptions): Promise<{ markdown: string; results: Record<string, number> }> {
  const tree = resolve(treePath);
  const listRuns = opts.listRuns ?? 5;
  const rescanRuns = opts.rescanRuns ?? 3;
  const work = mkdtempSync(join(tmpdir(), 'lambdafit-scan-bench-'));
  const results: Record<string, number> = {};
  try {
    opts.log(`scan bench: ${tree}`);
    // Every figure is taken with a warm page cache: read all file contents once first, so that
    // whichever tool runs first does not pay for the disk alone.
    spawnSync('sh', ['-c', 'find . -type f -print0 | xargs -0 cat > /dev/null'], { cwd: tree, stdio: 'ignore' });
    // (a) listing vs du, both warm (one untimed run each first).
    await listBundle({ path: tree });
    spawnTimed('du', ['-sb', tree]);
    const listMs: number[] = [];
    let files = 0;
    for (let i = 0; i < listRuns; i++) {
      listMs.push(await timeIt(async () => (files = (await listBundle({ path: tree })).code.files.length)));
    }
    const duMs: number[] = [];
    for (let i = 0; i < listRuns; i++) duMs.push(spawnTimed('du', ['-sb', tree]));
    results.files = files;
    results.listMs = median(listMs);
    results.duMs = median(duMs);
    results.listVsDu = median(listMs) / median(duMs);
    opts.log(`  listing ${fmtMs(results.listMs)} vs du -sb ${fmtMs(results.duMs)} (${files} files)`);

    // (b) full scan on a cold cache vs zip -r -6.
    const cacheDir = join(work, 'cache');
    let zipped = 0;
    let unzipped = 0;
    let compressedData = 0;
    let writerBytes = 0;
    const scanMs = await timeIt(async () => {
      const index = await scanBundle({ path: tree, cacheDir });
      zipped = index.code.zippedBytes;
      unzipped = index.code.unzippedBytes;
      compressedData = index.code.files.reduce((n, f) => n + (f.compressedBytes ?? 0), 0);
    });
    results.scanColdMs = scanMs;
    results.unzippedBytes = unzipped;
    results.predictedZipBytes = zipped;
    opts.log(`  cold scan ${fmtMs(scanMs)}`);
    const infozip = join(work, 'infozip.zip');
    results.zipMs = spawnTimed('zip', ['-r', '-6', '-q', '-y', infozip, '.'], tree);
    const zipBytes = statSync(infozip).size;
    results.zipBytes = zipBytes;
    // zip's headers carry extra fields (timestamps, uid/gid) that lambdafit's do not: compare the
    // compressed data alone too, from zipinfo's totals.
    const totals = spawnSync('zipinfo', ['-t', infozip], { encoding: 'utf8' }).stdout;
    results.zipDataBytes = Number(/([\d]+) bytes compressed/.exec(totals)?.[1] ?? NaN);
    results.predictedDataBytes = compressedData;
    results.dataVsZipPct = ((compressedData - results.zipDataBytes) / results.zipDataBytes) * 100;
    rmSync(infozip);
    results.scanVsZip = scanMs / results.zipMs;
    opts.log(`  zip -r -6 ${fmtMs(results.zipMs)}`);
    const ours = join(work, 'ours.zip');
    results.writeZipMs = await timeIt(async () => {
      writerBytes = (await writeZipFromSource(await openBundleSource(tree), ours)).bytes;
    });
    rmSync(ours);
    results.writerBytes = writerBytes;
    results.predictedVsZipPct = ((zipped - zipBytes) / zipBytes) * 100;
    results.predictedVsWriterBytes = zipped - writerBytes;
    opts.log(`  writeZip ${fmtMs(results.writeZipMs)}`);

    // (c) cached re-scans.
    const rescanMs: number[] = [];
    for (let i = 0; i < rescanRuns; i++) rescanMs.push(await timeIt(() => scanBundle({ path: tree, cacheDir })));
    results.rescanMs = median(rescanMs);
    results.rescanSpeedup = scanMs / results.rescanMs;
    opts.log(`  cached re-scan ${fmtMs(results.rescanMs)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const r = results;
  const markdown = [
    `Scan of \`${tree}\`: ${fmtBytes(r.files as number)} files, ${fmtBytes(r.unzippedBytes as number)} bytes.`,
    '',
    '| Measure | lambdafit | Peer | Ratio |',
    '|---|---|---|---|',
    `| List + classify (warm, median of ${listRuns}) vs \`du -sb\` (spawned, median of ${listRuns}) | ${fmtMs(r.listMs as number)} | ${fmtMs(r.duMs as number)} | ${(r.listVsDu as number).toFixed(2)}× du's time |`,
    `| Full scan, cold cache (hash + exact zip size) vs \`zip -r -6 -q -y\` (one run each) | ${fmtMs(r.scanColdMs as number)} | ${fmtMs(r.zipMs as number)} | ${(r.scanVsZip as number).toFixed(2)}× zip's time |`,
    `| \`writeZip\` of the same tree vs \`zip -r -6 -q -y\` | ${fmtMs(r.writeZipMs as number)} | ${fmtMs(r.zipMs as number)} | ${((r.writeZipMs as number) / (r.zipMs as number)).toFixed(2)}× zip's time |`,
    `| Predicted zip bytes vs \`zip -r -6\` bytes | ${fmtBytes(r.predictedZipBytes as number)} | ${fmtBytes(r.zipBytes as number)} | ${(r.predictedVsZipPct as number) >= 0 ? '+' : ''}${(r.predictedVsZipPct as number).toFixed(3)} % |`,
    `| Compressed data only (no headers) vs \`zipinfo -t\` of zip's archive | ${fmtBytes(r.predictedDataBytes as number)} | ${fmtBytes(r.zipDataBytes as number)} | ${(r.dataVsZipPct as number) >= 0 ? '+' : ''}${(r.dataVsZipPct as number).toFixed(3)} % |`,
    `| Predicted zip bytes vs lambdafit's written zip | ${fmtBytes(r.predictedZipBytes as number)} | ${fmtBytes(r.writerBytes as number)} | ${r.predictedVsWriterBytes === 0 ? 'exact' : `${r.predictedVsWriterBytes} B off`} |`,
    `| Cached re-scan (median of ${rescanRuns}) vs first scan | ${fmtMs(r.rescanMs as number)} | ${fmtMs(r.scanColdMs as number)} | ${(r.rescanSpeedup as number).toFixed(1)}× faster |`,
    '',
  ].join('\n');
  return { markdown, results };
}

/**
 * Measures the scan against real peers, in the same run, on `tree` and (when given) `demoTree`;
 * see `measureTree` for what is measured. Results of the demo tree are keyed `demo.<name>`.
 */
export async function runScanBench(opts: ScanBenchOptions): Promise<{ markdown: string; results: Record<string, number> }> {
  const main = await measureTree(opts.tree, opts);
  if (!opts.demoTree) return main;
  const demo = await measureTree(opts.demoTree, opts);
  const results = { ...main.results };
  for (const [k, v] of Object.entries(demo.results)) results[`demo.${k}`] = v;
  return { markdown: `${main.markdown}
${demo.markdown}`, results };
}
