// `npm run bench`: measures lambdafit against its peers in the same run and writes BENCHMARKS.md.
// Each section runs our code and the peer on the same input, on this machine, and reports ratios.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/core/package-root.js';
import { ensureBenchCorpus } from './bench-corpus.js';
import { ensureDemoBundle } from '../src/core/demo/ensure-demo-bundle.js';

interface Section {
  title: string;
  run: () => Promise<{ markdown: string; results: Record<string, number> }>;
}

const root = packageRoot();
const loadAtStart = loadavg()[0]!;
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const only = process.argv.slice(2);

const corpus = await ensureBenchCorpus(join(root, '.bench', 'corpus'), log);
const demo = await ensureDemoBundle({ onProgress: (e) => 'message' in e && log(e.message) });

const sections: Section[] = [
  {
    title: 'Scan: listing, compressed sizes, cache',
    run: async () => (await import('./scan-bench.js')).runScanBench({ tree: corpus, demoTree: demo.dir, log }),
  },
  {
    title: 'Rules: candidate search',
    run: async () => (await import('./rules-bench.js')).runRulesBench({ tree: corpus, log }),
  },
  {
    title: 'Quantization',
    run: async () => (await import('./quantize-bench.js')).runQuantizeBench({ modelPath: join(demo.dir, 'model', 'model.onnx'), log }),
  },
  {
    title: 'Sandbox',
    run: async () => (await import('./sandbox-bench.js')).runSandboxBench({ log }),
  },
  {
    title: 'Fit: the demo end to end, and placements against the seed\'s manual approach',
    run: async () => (await import('./fit-bench.js')).runFitBench({ demoDir: demo.dir, log }),
  },
  {
    title: 'Check: first check vs re-check',
    run: async () => (await import('./check-bench.js')).runCheckBench({ demoDir: demo.dir, log }),
  },
  {
    title: 'Export: writing the function zip',
    run: async () => (await import('./export-bench.js')).runExportBench({ demoDir: demo.dir, planPath: join(root, '.demo', 'plan.json'), workRoot: join(root, '.bench'), log }),
  },
];

const parts: string[] = [];
const all: Record<string, Record<string, number>> = {};
for (const section of sections) {
  if (only.length > 0 && !only.some((o) => section.title.toLowerCase().includes(o.toLowerCase()))) continue;
  log(`== ${section.title}`);
  try {
    const { markdown, results } = await section.run();
    parts.push(`## ${section.title}\n\n${markdown.trim()}\n`);
    all[section.title] = results;
  } catch (err) {
    parts.push(`## ${section.title}\n\nNot measured in this run: ${(err as Error).message}\n`);
    log(`${section.title} failed: ${(err as Error).stack}`);
  }
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const header = `# lambdafit benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpu},
${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${execFileSync('uname', ['-sr']).toString().trim()}.
Every figure is measured in this run; each comparison runs lambdafit and its peer on the same input
in the same run. Times are medians unless stated. Re-run with \`npm run bench\` (or
\`npm run bench -- scan\` for one section). Load average (1 min) when the run started:
${loadAtStart.toFixed(2)}, when it ended: ${loadavg()[0]!.toFixed(2)} — on a shared 2-core machine other work
inflates times, so compare ratios measured in the same run, not absolute figures across runs.
`;
await mkdir(join(root, '.bench'), { recursive: true });
await writeFile(join(root, '.bench', 'results.json'), JSON.stringify(all, null, 2) + '\n');
const target = join(root, 'BENCHMARKS.md');
if (only.length === 0 || !existsSync(target)) {
  await writeFile(target, `${header}\n${parts.join('\n')}`);
} else {
  // A partial run replaces only its own sections and keeps the others' figures.
  const previous = (await readFile(target, 'utf8')).split(/^(?=## )/m).slice(1);
  const fresh = new Map(parts.map((p) => [p.split('\n')[0], p]));
  const merged = previous.map((s) => fresh.get(s.split('\n')[0]!) ?? s);
  for (const [title, p] of fresh) if (!previous.some((s) => s.split('\n')[0] === title)) merged.push(p);
  await writeFile(target, `${header}\nSections re-measured in the latest (partial) run: ${[...fresh.keys()].map((k) => k!.slice(3)).join(', ')}.\n\n${merged.join('\n').replace(/\n{3,}/g, '\n\n')}`);
}
log('wrote BENCHMARKS.md');
