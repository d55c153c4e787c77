import type { FieldSpec, MessageSchema } from './onnx-schemas.js';
import type { RawField } from './onnx-types.js';
import { messageSource } from './message-source.js';
import { WireType } from './wire-reader.js';
import { tagSize, varintSize, WireWriter } from './wire-writer.js';

/**
 * Encodes messages in canonical order (modelled fields by number, then unknown fields as read).
 * Unchanged decoded messages are copied through verbatim. Sizes are computed first (cached per
 * object for the duration of one encode) because every nested message is length-prefixed.
 */
export class MessageEncoder {
  private readonly sizes = new Map<object, number>();

  /** Encoded size of `message` (without its own tag and length prefix). */
  size(message: object, schema: MessageSchema): number {
    const cached = this.sizes.get(message);
    if (cached !== undefined) return cached;
    const source = messageSource(message);
    let total = 0;
    if (source) {
      total = source.length;
    } else {
      const obj = message as Record<string, unknown>;
      for (const spec of schema.fields) {
        const value = obj[spec.key];
        if (value !== undefined) total += this.fieldSize(spec, value);
      }
      const unknown = obj.unknownFields as readonly RawField[] | undefined;
      if (unknown) for (const f of unknown) total += f.bytes.length;
    }
    this.sizes.set(message, total);
    return total;
  }

  /** Writes `message`'s fields (without its own tag and length prefix). */
  write(w: WireWriter, message: object, schema: MessageSchema): void {
    const source = messageSource(message);
    if (source) {
      w.bytes(source);
      return;
    }
    const obj = message as Record<string, unknown>;
    for (const spec of schema.fields) {
      const value = obj[spec.key];
      if (value !== undefined) this.writeField(w, spec, value);
    }
    const unknown = obj.unknownFields as readonly RawField[] | undefined;
    if (unknown) for (const f of unknown) w.bytes(f.bytes);
  }

  private scalarSize(spec: FieldSpec, v: unknown): number {
    switch (spec.kind) {
      case 'float':
        return 4;
      case 'double':
        return 8;
      case 'int64':
      case 'uint64':
        return varintSize(v as number);
      case 'string': {
        const n = Buffer.byteLength(v as string, 'utf8');
        return varintSize(n) + n;
      }
      case 'bytes': {
        const n = (v as Uint8Array).length;
        return varintSize(n) + n;
      }
      case 'message': {
        const n = this.size(v as object, spec.schema!());
        return varintSize(n) + n;
      }
    }
  }

  private packedPayload(spec: FieldSpec, values: ArrayLike<number>): number {
    if (spec.kind === 'float') return values.length * 4;
    if (spec.kind === 'double') return values.length * 8;
    let n = 0;
    for (let i = 0; i < values.length; i++) n += varintSize(values[i]!);
    return n;
  }

  private fieldSize(spec: FieldSpec, value: unknown): number {
    const tag = tagSize(spec.num);
    if (!spec.repeated) return tag + this.scalarSize(spec, value);
    const items = value as ArrayLike<unknown>;
    if (items.length === 0) return 0;
    if (spec.packed) {
      const payload = this.packedPayload(spec, items as ArrayLike<number>);
      return tag + varintSize(payload) + payload;
    }
    let total = 0;
    for (let i = 0; i < items.length; i++) total += tag + this.scalarSize(spec, items[i]);
    return total;
  }

  private writeScalar(w: WireWriter, spec: FieldSpec, v: unknown): void {
    switch (spec.kind) {
      case 'float':
        w.tag(spec.num, WireType.fixed32);
        w.float(v as number);
        return;
      case 'double':
        w.tag(spec.num, WireType.fixed64);
        w.double(v as number);
        return;
      case 'int64':
      case 'uint64':
        w.tag(spec.num, WireType.varint);
        w.varint(v as number);
        return;
      case 'string': {
        const n = Buffer.byteLength(v as string, 'utf8');
        w.tag(spec.num, WireType.lengthDelimited);
        w.varint(n);
        w.string(v as string, n);
        return;
      }
      case 'bytes':
        w.tag(spec.num, WireType.lengthDelimited);
        w.varint((v as Uint8Array).length);
        w.bytes(v as Uint8Array);
        return;
      case 'message': {
        const schema = spec.schema!();
        w.tag(spec.num, WireType.lengthDelimited);
        w.varint(this.size(v as object, schema));
        this.write(w, v as object, schema);
        return;
      }
    }
  }

  private writeField(w: WireWriter, spec: FieldSpec, value: unknown): void {
    if (!spec.repeated) {
      this.writeScalar(w, spec, value);
      return;
    }
    const items = value as ArrayLike<unknown>;
    if (items.length === 0) return;
    if (!spec.packed) {
      for (let i = 0; i < items.length; i++) this.writeScalar(w, spec, items[i]);
      return;
    }
    const numbers = items as ArrayLike<number>;
    w.tag(spec.num, WireType.lengthDelimited);
    w.varint(this.packedPayload(spec, numbers));
    if ((spec.kind === 'float' && numbers instanceof Float32Array) || (spec.kind === 'double' && numbers instanceof Float64Array)) {
      // The host is little-endian (checked when the writer starts), so the array's memory is the wire format.
      w.bytes(new Uint8Array(numbers.buffer, numbers.byteOffset, numbers.byteLength));
      return;
    }
    for (let i = 0; i < numbers.length; i++) {
      if (spec.kind === 'float') w.float(numbers[i]!);
      else if (spec.kind === 'double') w.double(numbers[i]!);
      else w.varint(numbers[i]!);
    }
  }
}
