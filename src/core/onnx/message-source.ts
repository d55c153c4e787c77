/**
 * Remembers the exact bytes each decoded message came from. A message still registered here is
 * unchanged (decoded objects are frozen; edits make new objects), so the encoder can copy its
 * bytes through verbatim, unknown fields and all.
 */
const sources = new WeakMap<object, Buffer>();

/** Records that `message` was decoded from exactly `bytes` (a view into the file buffer). */
export function setMessageSource(message: object, bytes: Buffer): void {
  sources.set(message, bytes);
}

/** The original encoding of an unchanged decoded message, or undefined for new/edited ones. */
export function messageSource(message: object): Buffer | undefined {
  return sources.get(message);
}
