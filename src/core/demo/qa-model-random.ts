/**
 * The seeded generator behind the demo model's weights: xoshiro128** for uniform bits and
 * Box–Muller for Gaussians. Deterministic, so one seed always gives the same bytes, and fast
 * enough to fill 66 M weights in a couple of seconds.
 */

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a hash of a string, to derive per-tensor streams from names. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A reproducible stream of random numbers for one tensor (seed + tensor name). */
export class QaModelRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = '') {
    const init = splitmix32((seed ^ hashName(stream)) >>> 0);
    this.a = init();
    this.b = init();
    this.c = init();
    this.d = init() | 1;
  }

  /** Next 32 random bits (xoshiro128**). */
  nextUint32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** Fills `out` with N(0, std²) samples. */
  fillGaussian(out: Float32Array, std: number): Float32Array {
    const n = out.length;
    for (let i = 0; i < n; i += 2) {
      // (x + 0.5) / 2^32 is never 0, so the log is finite.
      const u1 = (this.nextUint32() + 0.5) * 2.3283064365386963e-10;
      const u2 = this.nextUint32() * 2.3283064365386963e-10;
      const r = std * Math.sqrt(-2 * Math.log(u1));
      const theta = 6.283185307179586 * u2;
      out[i] = r * Math.cos(theta);
      if (i + 1 < n) out[i + 1] = r * Math.sin(theta);
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
