// Runs ONNX models in onnxruntime-node inside a child process, so that each model's peak RSS is
// measured on its own and a model that crashes onnxruntime cannot take lambdafit down.
// Plain JavaScript on purpose: it is started with `node` directly, from sources or a bundle.
//
// Usage: node ort-probe.mjs <request.json>
// The request names the onnxruntime-node entry, the model(s), a binary inputs file plus its
// manifest, and (for "measure") a file to write outputs to. One JSON line answers on stdout.
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ORT_TYPED_ARRAYS as TYPED } from './ort-typed-arrays.mjs';


function residentMB(field) {
  const status = readFileSync('/proc/self/status', 'utf8');
  const m = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) / 1024 : null;
}

function peakRssMB() {
  return residentMB('VmHWM') ?? process.resourceUsage().maxRSS / 1024;
}

function loadSamples(ort, req) {
  const bytes = readFileSync(req.inputsFile);
  return req.samples.map((sample) => {
    const feeds = {};
    for (const [name, t] of Object.entries(sample)) {
      const Ctor = TYPED[t.type];
      const copy = new Uint8Array(t.length);
      copy.set(bytes.subarray(t.offset, t.offset + t.length));
      const data = new Ctor(copy.buffer, 0, t.length / Ctor.BYTES_PER_ELEMENT);
      feeds[name] = new ort.Tensor(t.type, t.type === 'bool' ? Uint8Array.from(data) : data, t.dims);
    }
    return feeds;
  });
}

function sessionOptions(req) {
  const opts = { graphOptimizationLevel: req.optimizationLevel ?? 'all' };
  if (req.threads) opts.intraOpNumThreads = req.threads;
  return opts;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
}

async function measure(ort, req) {
  const samples = loadSamples(ort, req);
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(req.model, sessionOptions(req));
  const createMs = performance.now() - t0;
  const rssAfterCreateMB = residentMB('VmRSS');
  const chunks = [];
  const manifest = [];
  let offset = 0;
  const times = [];
  // CPU time (all threads) per run: unlike wall time, it barely moves when other processes
  // compete for the cores, so ratios between models stay meaningful on a busy machine.
  const cpu = [];
  for (let w = 0; w < (req.warmup ?? 1) && samples.length; w++) await session.run(samples[0]);
  for (let i = 0; i < samples.length; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    const out = await session.run(samples[i]);
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
    for (const name of session.outputNames) {
      const tensor = out[name];
      const data = tensor.data;
      if (!ArrayBuffer.isView(data)) continue;
      const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      chunks.push(Buffer.from(view));
      manifest.push({ sample: i, name, type: tensor.type, dims: tensor.dims, offset, length: view.length });
      offset += view.length;
    }
  }
  // Latency needs enough runs for a stable median; repeat the samples when there are few.
  const minRuns = req.minTimedRuns ?? 10;
  for (let i = 0; times.length < minRuns && samples.length; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await session.run(samples[i % samples.length]);
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  writeFileSync(req.outputFile, Buffer.concat(chunks));
  const sorted = [...times].sort((a, b) => a - b);
  return {
    ok: true,
    createMs,
    latency: { medianMs: median(times), p90Ms: sorted[Math.floor(0.9 * (sorted.length - 1))] ?? null, minMs: sorted[0] ?? null, cpuMs: median(cpu), runs: times.length },
    rssAfterCreateMB,
    peakRssMB: peakRssMB(),
    outputs: manifest,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
  };
}

async function sqnr(ort, req) {
  const samples = loadSamples(ort, req);
  const ref = await ort.InferenceSession.create(req.reference, sessionOptions(req));
  const cand = await ort.InferenceSession.create(req.candidate, sessionOptions(req));
  const sums = {};
  for (const name of req.tensors) sums[name] = { signal: 0, noise: 0 };
  for (const feeds of samples) {
    const a = await ref.run(feeds, req.tensors);
    const b = await cand.run(feeds, req.tensors);
    for (const name of req.tensors) {
      const x = a[name]?.data;
      const y = b[name]?.data;
      if (!x || !y || x.length !== y.length) continue;
      let s = 0;
      let n = 0;
      for (let i = 0; i < x.length; i++) {
        s += x[i] * x[i];
        n += (x[i] - y[i]) * (x[i] - y[i]);
      }
      sums[name].signal += s;
      sums[name].noise += n;
    }
  }
  return { ok: true, tensors: sums, peakRssMB: peakRssMB() };
}

async function main() {
  const req = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const ort = await import(pathToFileURL(req.ortEntry).href);
  const result = req.mode === 'sqnr' ? await sqnr(ort, req) : await measure(ort, req);
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err) => {
  process.stdout.write(JSON.stringify({ ok: false, error: String(err?.message ?? err) }) + '\n');
  process.exitCode = 1;
});
