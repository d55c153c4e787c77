import type { ProbeTensor } from './run-ort-probe.js';

/** Agreement of one output between the original and the quantized model. */
export interface OutputAccuracy {
  name: string;
  /**
   * Cosine similarity of the output over all samples (flattened and concatenated). Global rather
   * than a per-sample mean, so that a sample whose output is nearly empty (a detector that finds
   * nothing) cannot dominate the figure with noise.
   */
  cosine: number;
  /** Worst single sample's cosine (informational: near-empty samples make it noisy). */
  minCosine: number;
  maxAbsDiff: number;
  /** ‖a−b‖ / ‖a‖ over all samples. */
  relRmse: number;
  /** Share of argmax decisions along the class axis that agree; null without a class axis. */
  top1Agreement: number | null;
  /** The axis argmax is taken over, or null. */
  classAxis: number | null;
  /** Every quantized value is finite. */
  finite: boolean;
}

/** Accuracy over all outputs: the worst output decides each figure. */
export interface AccuracyReport {
  cosine: number;
  minCosine: number;
  maxAbsDiff: number;
  relRmse: number;
  top1Agreement: number | null;
  samples: number;
  outputs: OutputAccuracy[];
}

/**
 * The axis that holds classes: the last axis for [B, C], [B, T, C] (and [B, S] span logits); the
 * channel axis for [N, C, H, W] maps with C ≥ 2. None for single-channel maps and scalars.
 */
export function classAxis(dims: readonly number[]): number | null {
  if (dims.length === 0) return null;
  if (dims.length === 4) return (dims[1] ?? 1) >= 2 ? 1 : null;
  if (dims.length > 4) return null;
  return (dims[dims.length - 1] ?? 1) >= 2 ? dims.length - 1 : null;
}

/** Cosine from a dot product and two squared norms; two all-zero vectors agree perfectly. */
function cosineOf(dot: number, na: number, nb: number): number {
  if (na === 0 && nb === 0) return 1;
  if (na === 0 || nb === 0) return 0;
  const c = dot / Math.sqrt(na * nb);
  return Number.isFinite(c) ? c : 0;
}

function asNumbers(t: ProbeTensor): ArrayLike<number> {
  return t.data instanceof BigInt64Array ? Array.from(t.data, Number) : (t.data as ArrayLike<number>);
}

function argmaxAgreement(a: ArrayLike<number>, b: ArrayLike<number>, dims: readonly number[], axis: number): [number, number] {
  const size = dims[axis]!;
  const outer = dims.slice(0, axis).reduce((x, y) => x * y, 1);
  const inner = dims.slice(axis + 1).reduce((x, y) => x * y, 1);
  let agree = 0;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let ia = 0;
      let ib = 0;
      for (let k = 1; k < size; k++) {
        const at = (o * size + k) * inner + i;
        if (a[at]! > a[(o * size + ia) * inner + i]!) ia = k;
        if (b[at]! > b[(o * size + ib) * inner + i]!) ib = k;
      }
      if (ia === ib) agree++;
    }
  }
  return [agree, outer * inner];
}

/** Compares the outputs of two runs over the same samples. */
export function compareOutputs(reference: ReadonlyArray<Record<string, ProbeTensor>>, candidate: ReadonlyArray<Record<string, ProbeTensor>>): AccuracyReport {
  const names = Object.keys(reference[0] ?? {});
  const outputs: OutputAccuracy[] = names.map((name) => {
    let dotAll = 0;
    let candSq = 0;
    let minCos = 1;
    let maxAbs = 0;
    let errSq = 0;
    let refSq = 0;
    let agree = 0;
    let decisions = 0;
    let finite = true;
    let axis: number | null = null;
    reference.forEach((sample, s) => {
      const ta = sample[name]!;
      const tb = candidate[s]?.[name];
      if (!tb || tb.data.length !== ta.data.length) {
        finite = false;
        minCos = -1;
        return;
      }
      const a = asNumbers(ta);
      const b = asNumbers(tb);
      let dot = 0;
      let na = 0;
      let nb = 0;
      for (let i = 0; i < a.length; i++) {
        const x = a[i]!;
        const y = b[i]!;
        if (!Number.isFinite(y)) finite = false;
        dot += x * y;
        na += x * x;
        nb += y * y;
        const d = Math.abs(x - y);
        if (d > maxAbs || Number.isNaN(d)) maxAbs = Number.isNaN(d) ? Infinity : d;
        errSq += (x - y) * (x - y);
      }
      refSq += na;
      candSq += nb;
      dotAll += dot;
      const cos = cosineOf(dot, na, nb);
      minCos = Math.min(minCos, Number.isFinite(cos) ? cos : 0);
      axis = classAxis(ta.dims);
      if (axis !== null) {
        const [ag, n] = argmaxAgreement(a, b, ta.dims, axis);
        agree += ag;
        decisions += n;
      }
    });
    return {
      name,
      cosine: finite ? cosineOf(dotAll, refSq, candSq) : 0,
      minCosine: finite ? minCos : 0,
      maxAbsDiff: maxAbs,
      relRmse: refSq === 0 ? (errSq === 0 ? 0 : Infinity) : Math.sqrt(errSq / refSq),
      top1Agreement: decisions ? agree / decisions : null,
      classAxis: axis,
      finite,
    };
  });
  const tops = outputs.map((o) => o.top1Agreement).filter((v): v is number => v !== null);
  return {
    cosine: Math.min(...outputs.map((o) => o.cosine), 1),
    minCosine: Math.min(...outputs.map((o) => o.minCosine), 1),
    maxAbsDiff: Math.max(...outputs.map((o) => o.maxAbsDiff), 0),
    relRmse: Math.max(...outputs.map((o) => o.relRmse), 0),
    top1Agreement: tops.length ? Math.min(...tops) : null,
    samples: reference.length,
    outputs,
  };
}

/** The accuracy gate's thresholds. */
export interface GateThresholds {
  /** Lowest acceptable mean cosine of every output (default 0.99). */
  minCosine: number;
  /** Lowest acceptable top-1 agreement, for outputs with a class axis. */
  minTop1?: number;
}

/** Decides pass or fail, with the reasons for a failure. */
export function evaluateGate(report: AccuracyReport, gate: GateThresholds): { passed: boolean; reasons: string[] } {
  const reasons: string[] = [];
  for (const o of report.outputs) {
    if (!o.finite) reasons.push(`${o.name} has non-finite or missing values`);
    else if (o.cosine < gate.minCosine) reasons.push(`${o.name} cosine ${o.cosine.toFixed(5)} < ${gate.minCosine}`);
    if (gate.minTop1 !== undefined && o.top1Agreement !== null && o.top1Agreement < gate.minTop1) {
      reasons.push(`${o.name} top-1 agreement ${(o.top1Agreement * 100).toFixed(1)}% < ${(gate.minTop1 * 100).toFixed(1)}%`);
    }
  }
  return { passed: reasons.length === 0, reasons };
}
