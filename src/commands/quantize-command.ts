import { dirname, resolve } from 'node:path';
import { loadConfig } from '../core/config/load-config.js';
import { UsageError } from '../core/errors.js';
import { INPUTS_FILE_FORMAT } from '../core/quantize/load-inputs-file.js';
import { quantizeOnnxFile } from '../core/quantize/quantize-onnx-file.js';
import { quantizeReportJson } from '../core/quantize/quantize-report-json.js';
import type { QuantizeFileResult, QuantizeRequestMode } from '../core/quantize/quantize-types.js';
import type { CommandModule } from './command-io.js';
import { formatBytes } from './format-bytes.js';
import { choiceFlag, intFlag, parseCommandArgs } from './parse-command-args.js';
import { progressPrinter } from './progress-printer.js';

const MODES = ['int8', 'int4', 'fp16', 'auto'] as const;

function fractionFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--${name} must be a number from 0 to 1, got "${value}".`);
  return n;
}

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
const ms = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(1)} ms`);
const mb = (v: number | null) => (v === null ? 'n/a' : `${Math.round(v)} MB`);

/** The human summary printed without --json. */
function formatSummary(r: QuantizeFileResult): string {
  const lines: string[] = [];
  const ratio = r.input.bytes ? r.output.bytes / r.input.bytes : 1;
  lines.push(`${r.input.path}: ${formatBytes(r.input.bytes)}, ${(r.input.parameters / 1e6).toFixed(2)} M parameters, opset ${r.input.opset}`);
  lines.push(`→ ${r.output.path}: ${formatBytes(r.output.bytes)} (${pct(ratio)} of the original), ${r.variant}${r.requestedMode === 'auto' ? ' (chosen by auto)' : ''}`);
  const byAction = new Map<string, number>();
  for (const d of r.decisions) if (d.action !== 'keep') byAction.set(`${d.opType} → ${d.action}`, (byAction.get(`${d.opType} → ${d.action}`) ?? 0) + 1);
  lines.push(`  ${r.nodesQuantized} nodes quantized${byAction.size ? `: ${[...byAction].map(([k, n]) => `${n} ${k}`).join(', ')}` : ''}`);
  if (r.excludedNodes.length) lines.push(`  left in fp32 (worst SQNR): ${r.excludedNodes.join(', ')}`);
  if (r.accuracy) {
    const a = r.accuracy;
    lines.push(
      `  accuracy on ${a.samples} ${r.gate.inputs === 'synthesized' ? 'synthesized' : 'given'} inputs: cosine ${a.cosine.toFixed(5)}, max |Δ| ${a.maxAbsDiff.toPrecision(3)}, relative RMSE ${a.relRmse.toPrecision(3)}` +
        (a.top1Agreement === null ? '' : `, top-1 agreement ${pct(a.top1Agreement)}`),
    );
  }
  const seq = r.latency.sequenceLength ? `, sequence length ${r.latency.sequenceLength}` : '';
  lines.push(`  latency (median${seq}): ${ms(r.latency.originalMs)} → ${ms(r.latency.quantizedMs)}${r.latency.speedup ? ` (${r.latency.speedup.toFixed(2)}×)` : ''}, CPU ${ms(r.latency.originalCpuMs)} → ${ms(r.latency.quantizedCpuMs)}; peak RSS ${mb(r.rss.originalMB)} → ${mb(r.rss.quantizedMB)}`);
  if (r.attempts.length > 1) {
    lines.push('  tried:');
    for (const t of r.attempts) {
      lines.push(`    ${t.variant.padEnd(11)} ${formatBytes(t.bytes).padStart(9)}  cosine ${t.cosine === null ? 'n/a' : t.cosine.toFixed(5)}  ${t.passed ? 'pass' : 'fail'}`);
    }
  }
  for (const n of r.notes) lines.push(`  note: ${n}`);
  const gate = `cosine ≥ ${r.gate.minCosine}${r.gate.minTop1 === null ? '' : `, top-1 ≥ ${pct(r.gate.minTop1)}`}`;
  lines.push(r.passed ? `Gate (${gate}): PASSED` : `Gate (${gate}): FAILED — ${r.reasons.join('; ')}`);
  return lines.join('\n') + '\n';
}

/** `lambdafit quantize`: shrink one ONNX model and prove it still answers the same. */
export const quantizeCommand: CommandModule = {
  summary: 'shrink one ONNX model (int8, int4, fp16 or auto) with an accuracy gate',
  help: `Usage: lambdafit quantize <model.onnx> [options]

Quantizes an ONNX model, then runs the original and the result in onnxruntime on the same inputs
(each in its own process) and reports accuracy, latency and peak memory. The gate decides: exit 0
when it passes, 1 when it fails. The input is never modified; the output is written atomically.

Modes:
  int8   (default) dynamic int8: MatMul/Gemm → DynamicQuantizeLinear + MatMulInteger (int8
         weights, per output channel), embeddings (Gather) as per-row int8 tables, Conv weights
         stored as int8. About 4× smaller; faster on CPUs with int8 dot products.
  int4   MatMul/Gemm → MatMulNBits (4-bit blocks of 32, accuracy level 4), embeddings →
         GatherBlockQuantized 4-bit; about 6× smaller, less accurate.
  fp16   weights stored as fp16: half the disk only — the CPU expands them to fp32 at load, so
         RAM and latency stay those of fp32 (the measured figures show it).
  auto   the smallest variant that passes the gate: int8, then mixed precision (the layers with
         the worst SQNR left in fp32), then int4; fp16 when it is smaller than what passed.

Options:
  --mode M          int8 | int4 | fp16 | auto (default: int8, or the model's single mode in --config)
  --out FILE        output path (default: <model>.<mode>.onnx next to the input; never the input)
  --inputs FILE     real inputs for the gate instead of synthesized ones; format:
                    ${INPUTS_FILE_FORMAT}
  --min-cosine X    gate: lowest cosine similarity of every output (default 0.99)
  --min-top1 X      gate: lowest top-1 agreement (0–1) for outputs with a class axis
  --samples N       synthesized inputs (default 32): token ids within the embedding table,
                    masks of ones, smooth images in [-1, 1]
  --seq-len N       sequence length of synthesized token inputs (default 128)
  --image-size N    height and width of synthesized images with free dims (default 320)
  --per-tensor      one int8 scale per weight tensor instead of per output channel
  --full-range      8-bit int8 weights (±127) instead of the default 7-bit (±64, onnxruntime's
                    reduce_range): a little more accurate, but x86 CPUs without VNNI (Lambda x86_64
                    may run on them) saturate u8×s8 sums; use it for arm64 or VNNI targets
  --int4-asymmetric int4 blocks with zero points (min/max range): a little more accurate, 1.5 % larger
  --conv-integer    Conv through ConvInteger (int8 activations too) instead of int8 weight storage
  --threads N       onnxruntime threads for the measurements (default: onnxruntime's choice)
  --config FILE     lambdafit.json whose "models" entry for this file sets mode, minCosine, minTop1
  --json            one JSON document on stdout (progress stays on stderr)

JSON fields: input.{path,bytes,parameters,opset,producer}, output.{path,bytes}, mode, requestedMode,
variant, nodesQuantized, excludedNodes, accuracy.{cosine,minCosine,maxAbsDiff,relRmse,
top1Agreement,samples,outputs[]} (null without a gate), latency.{originalMs,quantizedMs,speedup,
originalCpuMs,quantizedCpuMs,sequenceLength} (medians per inference; CPU ms sum all threads), rss.{originalMB,quantizedMB} (peak RSS of each model's process), gate.{minCosine,
minTop1,inputs,samples}, passed, reasons[], notes[], attempts[], decisions[].

Examples:
  lambdafit quantize model/model.onnx
  lambdafit quantize model.onnx --mode auto --min-cosine 0.995 --json > quantize.json
  lambdafit quantize det.onnx --mode int8 --inputs samples.json --out det.int8.onnx

Exit codes: 0 the gate passed, 1 it failed, 2 bad usage or a bad model, 130 cancelled.
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('quantize', argv, {
      mode: { type: 'string' },
      out: { type: 'string' },
      inputs: { type: 'string' },
      'min-cosine': { type: 'string' },
      'min-top1': { type: 'string' },
      samples: { type: 'string' },
      'seq-len': { type: 'string' },
      'image-size': { type: 'string' },
      'per-tensor': { type: 'boolean' },
      'full-range': { type: 'boolean' },
      'int4-asymmetric': { type: 'boolean' },
      'conv-integer': { type: 'boolean' },
      threads: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean' },
    });
    const model = positionals[0];
    if (!model) throw new UsageError('Give the model to quantize: `lambdafit quantize <model.onnx>`. Run `lambdafit quantize --help` for the options.');
    const input = resolve(io.cwd, model);
    let configured: { modes?: string[]; minCosine?: number; minTop1?: number } | undefined;
    if (values.config) {
      const configPath = resolve(io.cwd, values.config);
      const { config } = await loadConfig(undefined, configPath);
      configured = config.models?.find((m) => resolve(dirname(configPath), m.path) === input);
    }
    const mode: QuantizeRequestMode =
      choiceFlag('mode', values.mode, MODES) ?? (configured?.modes?.length === 1 ? (configured.modes[0] as QuantizeRequestMode) : configured?.modes?.length ? 'auto' : 'int8');
    const result = await quantizeOnnxFile(input, {
      mode,
      out: values.out ? resolve(io.cwd, values.out) : undefined,
      inputsFile: values.inputs ? resolve(io.cwd, values.inputs) : undefined,
      minCosine: fractionFlag('min-cosine', values['min-cosine']) ?? configured?.minCosine,
      minTop1: fractionFlag('min-top1', values['min-top1']) ?? configured?.minTop1,
      samples: intFlag('samples', values.samples, 1, 10_000),
      sequenceLength: intFlag('seq-len', values['seq-len'], 1, 1_000_000),
      imageSize: intFlag('image-size', values['image-size'], 1, 16_384),
      perChannel: !values['per-tensor'],
      reduceRange: !values['full-range'],
      int4Asymmetric: values['int4-asymmetric'],
      convInteger: values['conv-integer'],
      threads: intFlag('threads', values.threads, 1, 1024),
      onProgress: progressPrinter(io.stderr),
      signal: io.signal,
    });
    io.stdout.write(values.json ? JSON.stringify(quantizeReportJson(result), null, 2) + '\n' : formatSummary(result));
    return result.passed ? 0 : 1;
  },
};
