/**
 * Protocol-buffers wire-format writing into a list of chunks. Small fields are packed into
 * scratch blocks; big byte ranges (tensor data) are passed through as views, so encoding a
 * 265 MB model allocates only the bytes that actually changed.
 */

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const SCRATCH_BYTES = 64 * 1024;
/** Byte ranges at least this long are referenced rather than copied. */
const VIEW_THRESHOLD = 1024;

/** Encoded size of a varint holding `n` (signed 64-bit semantics for negatives). */
export function varintSize(n: number): number {
  if (n < 0) return 10;
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  // Values at or past 2^63 are clamped to INT64_MAX when written, which takes 9 bytes.
  if (n >= 2 ** 63) return 9;
  let size = 1;
  for (let v = Math.floor(n); v >= 0x80; v = Math.floor(v / 128)) size++;
  return size;
}

/** Encoded size of a field tag. */
export function tagSize(field: number): number {
  return varintSize(field * 8);
}

/** Appends protobuf-encoded values to a growing list of Buffer chunks. */
export class WireWriter {
  private readonly chunks: Buffer[] = [];
  private scratch: Buffer = Buffer.allocUnsafe(SCRATCH_BYTES);
  private start = 0;
  private pos = 0;
  /** Total bytes written so far. */
  length = 0;

  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.scratch.length) return;
    this.flushScratch();
    this.scratch = Buffer.allocUnsafe(Math.max(SCRATCH_BYTES, bytes));
    this.start = 0;
    this.pos = 0;
  }

  private flushScratch(): void {
    if (this.pos > this.start) this.chunks.push(this.scratch.subarray(this.start, this.pos));
    this.start = this.pos;
  }

  /** Writes a varint; negative numbers use the 10-byte two's-complement form; clamps to int64. */
  varint(n: number): void {
    this.ensure(10);
    const b = this.scratch;
    if (n >= 0 && n <= 0xffffffff) {
      let v = n >>> 0;
      while (v >= 0x80) {
        b[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      b[this.pos++] = v;
      this.length += varintSize(n);
      return;
    }
    let big = n >= 2 ** 63 ? INT64_MAX : n <= -(2 ** 63) ? INT64_MIN : BigInt(Math.trunc(n));
    big = BigInt.asUintN(64, big);
    let lo = Number(big & 0xffffffffn);
    let hi = Number(big >> 32n);
    const before = this.pos;
    while (hi > 0 || lo >= 0x80) {
      b[this.pos++] = (lo & 0x7f) | 0x80;
      lo = (lo >>> 7) | ((hi & 0x7f) << 25);
      lo >>>= 0;
      hi = Math.floor(hi / 128);
    }
    b[this.pos++] = lo;
    this.length += this.pos - before;
  }

  /** Writes a field tag. */
  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** Writes a little-endian float32. */
  float(v: number): void {
    this.ensure(4);
    this.scratch.writeFloatLE(v, this.pos);
    this.pos += 4;
    this.length += 4;
  }

  /** Writes a little-endian float64. */
  double(v: number): void {
    this.ensure(8);
    this.scratch.writeDoubleLE(v, this.pos);
    this.pos += 8;
    this.length += 8;
  }

  /** Writes raw bytes: copied when small, referenced (zero-copy) when large. */
  bytes(data: Uint8Array): void {
    if (data.length >= VIEW_THRESHOLD) {
      this.flushScratch();
      this.chunks.push(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      this.length += data.length;
      return;
    }
    this.ensure(data.length);
    this.scratch.set(data, this.pos);
    this.pos += data.length;
    this.length += data.length;
  }

  /** Writes a UTF-8 string whose encoded length is `byteLength`. */
  string(s: string, byteLength: number): void {
    this.ensure(byteLength);
    this.scratch.write(s, this.pos, 'utf8');
    this.pos += byteLength;
    this.length += byteLength;
  }

  /** Returns the chunks written so far; the writer must not be used afterwards. */
  finish(): Buffer[] {
    this.flushScratch();
    return this.chunks;
  }
}
