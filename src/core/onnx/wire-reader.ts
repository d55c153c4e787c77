/**
 * Protocol-buffers wire-format reading, just enough for ONNX: varints, fixed32/64 and
 * length-delimited fields, with bounds checks so that a truncated file fails cleanly.
 */

/** Wire types of the protobuf encoding. */
export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

/** Raised when the bytes are not valid protobuf (truncated, bad wire type, bad varint). */
export class WireError extends Error {
  /** Byte offset in the buffer where decoding failed. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at byte ${offset}`);
    this.offset = offset;
  }
}

const TWO_32 = 4294967296;

/**
 * A cursor over `buf[pos, end)`. int64 varints decode to JS numbers: exact up to 2^53, and
 * INT64_MAX/INT64_MIN (the common sentinels, e.g. Slice ends) survive a re-encode because the
 * writer clamps to the int64 range.
 */
export class WireReader {
  /** The whole buffer (sub-ranges are zero-copy views into it). */
  readonly buf: Buffer;
  /** Current read position. */
  pos: number;
  /** Exclusive end of the readable range. */
  readonly end: number;

  constructor(buf: Buffer, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  /** Reads a varint as a signed 64-bit value (two's complement), or unsigned when asked. */
  varint(unsigned = false): number {
    const b = this.buf;
    const end = this.end;
    let pos = this.pos;
    let lo = 0;
    let byte = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= end) throw new WireError('truncated varint', pos);
      byte = b[pos++]!;
      lo |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = pos;
        return lo >>> 0;
      }
    }
    if (pos >= end) throw new WireError('truncated varint', pos);
    byte = b[pos++]!;
    lo |= (byte & 0x0f) << 28;
    let hi = (byte & 0x7f) >> 4;
    if (byte >= 0x80) {
      let done = false;
      for (let shift = 3; shift < 32; shift += 7) {
        if (pos >= end) throw new WireError('truncated varint', pos);
        byte = b[pos++]!;
        hi |= (byte & 0x7f) << shift;
        if (byte < 0x80) {
          done = true;
          break;
        }
      }
      if (!done) throw new WireError('varint longer than 10 bytes', pos);
    }
    this.pos = pos;
    return (unsigned ? hi >>> 0 : hi | 0) * TWO_32 + (lo >>> 0);
  }

  /** Reads a length prefix and returns the [start, end) range it covers, advancing past it. */
  lengthDelimited(): [number, number] {
    const at = this.pos;
    const len = this.varint(true);
    const start = this.pos;
    if (len > this.end - start) throw new WireError(`length ${len} runs past the end of the data`, at);
    this.pos = start + len;
    return [start, start + len];
  }

  /** Reads a little-endian float32. */
  fixed32Float(): number {
    if (this.pos + 4 > this.end) throw new WireError('truncated fixed32', this.pos);
    const v = this.buf.readFloatLE(this.pos);
    this.pos += 4;
    return v;
  }

  /** Reads a little-endian float64. */
  fixed64Double(): number {
    if (this.pos + 8 > this.end) throw new WireError('truncated fixed64', this.pos);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Skips one field's value of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.varint:
        this.varint(true);
        return;
      case WireType.fixed64:
        if (this.pos + 8 > this.end) throw new WireError('truncated fixed64', this.pos);
        this.pos += 8;
        return;
      case WireType.lengthDelimited:
        this.lengthDelimited();
        return;
      case WireType.fixed32:
        if (this.pos + 4 > this.end) throw new WireError('truncated fixed32', this.pos);
        this.pos += 4;
        return;
      default:
        // Groups (3, 4) are proto1 relics that ONNX never uses; 6 and 7 are invalid.
        throw new WireError(`unsupported wire type ${wireType}`, this.pos);
    }
  }
}
