import type { FieldSpec, MessageSchema } from './onnx-schemas.js';
import type { RawField } from './onnx-types.js';
import { setMessageSource, messageSource } from './message-source.js';
import { WireError, WireReader, WireType } from './wire-reader.js';

/** Lets the reader replace a decoded message (e.g. a tensor whose data lives in another file). */
export type MessageTransform = (schema: MessageSchema, message: Record<string, unknown>) => Record<string, unknown>;

type Accumulator = { singles: number[]; parts: ArrayLike<number>[] };

function wireTypeFits(spec: FieldSpec, wireType: number): boolean {
  if (spec.repeated && wireType === WireType.lengthDelimited && (spec.kind === 'int64' || spec.kind === 'uint64' || spec.kind === 'float' || spec.kind === 'double')) {
    return true;
  }
  switch (spec.kind) {
    case 'int64':
    case 'uint64':
      return wireType === WireType.varint;
    case 'float':
      return wireType === WireType.fixed32;
    case 'double':
      return wireType === WireType.fixed64;
    default:
      return wireType === WireType.lengthDelimited;
  }
}

function readScalar(r: WireReader, spec: FieldSpec): number {
  if (spec.kind === 'float') return r.fixed32Float();
  if (spec.kind === 'double') return r.fixed64Double();
  return r.varint(spec.kind === 'uint64');
}

/** Decodes a packed run; fixed-width floats are copied in one go into an aligned typed array. */
function readPacked(r: WireReader, spec: FieldSpec): ArrayLike<number> {
  const [start, end] = r.lengthDelimited();
  const width = spec.kind === 'float' ? 4 : spec.kind === 'double' ? 8 : 0;
  if (width) {
    if ((end - start) % width) throw new WireError(`packed ${spec.key} length is not a multiple of ${width}`, start);
    const bytes = new Uint8Array(end - start);
    bytes.set(r.buf.subarray(start, end));
    return width === 4 ? new Float32Array(bytes.buffer) : new Float64Array(bytes.buffer);
  }
  const sub = new WireReader(r.buf, start, end);
  const out: number[] = [];
  while (sub.pos < end) out.push(sub.varint(spec.kind === 'uint64'));
  return out;
}

function finishRepeated(spec: FieldSpec, acc: Accumulator): unknown {
  const single = acc.parts.length === 1 && acc.singles.length === 0 ? acc.parts[0]! : undefined;
  if (spec.typed) {
    const Ctor = spec.typed === 'f32' ? Float32Array : spec.typed === 'f64' ? Float64Array : Int32Array;
    if (single instanceof Ctor) return single;
    const all: number[] = [];
    for (const p of acc.parts) for (let i = 0; i < p.length; i++) all.push(p[i]!);
    all.push(...acc.singles);
    return Ctor.from(all);
  }
  const all: number[] = [];
  for (const p of acc.parts) for (let i = 0; i < p.length; i++) all.push(p[i]!);
  for (const v of acc.singles) all.push(v);
  return Object.freeze(all);
}

/**
 * Decodes one message from `buf[start, end)` following `schema`. Bytes and strings are zero-copy
 * where possible; unknown fields are kept raw; the result is frozen and, when nothing was
 * transformed inside it, registered with its source bytes for verbatim re-emission.
 */
export function decodeMessage(
  buf: Buffer,
  start: number,
  end: number,
  schema: MessageSchema,
  transform?: MessageTransform,
): Record<string, unknown> {
  const r = new WireReader(buf, start, end);
  const obj: Record<string, unknown> = {};
  const repeated = new Map<FieldSpec, unknown[] | Accumulator>();
  let unknown: RawField[] | undefined;
  let clean = true;
  while (r.pos < end) {
    const fieldStart = r.pos;
    const tag = r.varint(true);
    const num = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (num === 0) throw new WireError('field number 0 is invalid', fieldStart);
    const spec = schema.byNum.get(num);
    if (!spec || !wireTypeFits(spec, wireType)) {
      r.skip(wireType);
      (unknown ??= []).push({ field: num, bytes: buf.subarray(fieldStart, r.pos) });
      continue;
    }
    let value: unknown;
    if (spec.kind === 'message') {
      const [s, e] = r.lengthDelimited();
      const child = decodeMessage(buf, s, e, spec.schema!(), transform);
      if (!messageSource(child)) clean = false;
      value = child;
    } else if (spec.kind === 'string') {
      const [s, e] = r.lengthDelimited();
      value = buf.toString('utf8', s, e);
    } else if (spec.kind === 'bytes') {
      const [s, e] = r.lengthDelimited();
      value = buf.subarray(s, e);
    } else if (spec.repeated) {
      let acc = repeated.get(spec) as Accumulator | undefined;
      if (!acc) repeated.set(spec, (acc = { singles: [], parts: [] }));
      if (wireType === WireType.lengthDelimited) acc.parts.push(readPacked(r, spec));
      else acc.singles.push(readScalar(r, spec));
      continue;
    } else {
      value = readScalar(r, spec);
    }
    if (spec.repeated) {
      let list = repeated.get(spec) as unknown[] | undefined;
      if (!list) repeated.set(spec, (list = []));
      list.push(value);
    } else {
      obj[spec.key] = value;
    }
  }
  for (const spec of schema.fields) {
    if (!spec.repeated) continue;
    const got = repeated.get(spec);
    const isNumeric = spec.kind !== 'message' && spec.kind !== 'string' && spec.kind !== 'bytes';
    if (isNumeric) {
      if (got) obj[spec.key] = finishRepeated(spec, got as Accumulator);
      else if (!spec.typed) obj[spec.key] = Object.freeze([]);
    } else {
      obj[spec.key] = Object.freeze((got as unknown[] | undefined) ?? []);
    }
  }
  if (unknown) obj.unknownFields = Object.freeze(unknown);
  let result = obj;
  if (transform) {
    const replaced = transform(schema, obj);
    if (replaced !== obj) {
      result = replaced;
      clean = false;
    }
  }
  Object.freeze(result);
  if (clean) setMessageSource(result, buf.subarray(start, end));
  return result;
}
