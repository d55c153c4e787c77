import type { HeaderFacts } from './classify-file.js';
import { readNativeInfo, type RangeReader } from './read-native-info.js';
import { sniffModel } from './sniff-model.js';

/**
 * Reads what a file's first bytes reveal: a native binary (with its C library when a few more KB
 * tell, through `read`) or a model signature. `read` is undefined when only `header` is available.
 */
export async function readHeaderFacts(header: Buffer, read: RangeReader | undefined): Promise<HeaderFacts> {
  const native = await readNativeInfo(header, read);
  if (native) return { native };
  const model = sniffModel(header);
  return model ? { model } : {};
}
