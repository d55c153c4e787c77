/**
 * Names of the external data files an ONNX model refers to. A tensor stored outside the model
 * carries `external_data` entries (StringStringEntryProto: field 1 key, field 2 value); the one
 * with key `location` names the file, relative to the model's folder. Its serialised form is
 * `0A 08 "location" 12 <varint length> <name>`, which this finds without a protobuf parser. Pure.
 */
export function findOnnxExternalDataRefs(model: Buffer): string[] {
  const marker = Buffer.from('\x0a\x08location\x12', 'latin1');
  const found = new Set<string>();
  for (let at = model.indexOf(marker); at !== -1; at = model.indexOf(marker, at + 1)) {
    let p = at + marker.length;
    let len = 0;
    let shift = 0;
    for (; p < model.length && shift < 35; shift += 7) {
      const b = model[p++] as number;
      len |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
    }
    if (len <= 0 || len > 4096 || p + len > model.length) continue;
    found.add(model.toString('utf8', p, p + len));
  }
  return [...found];
}
