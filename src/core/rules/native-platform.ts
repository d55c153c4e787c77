import type { Architecture } from '../config/config-schema.js';
import type { BinaryArch, NativeInfo } from '../scan/bundle-index.js';

/** What a native binary's header says about the Lambda target. */
export interface NativeVerdict {
  /** `foreign`: proven not loadable on the target; `target`: built for it; `unknown`: the header does not tell. */
  platform: 'foreign' | 'target' | 'unknown';
  /** One sentence for the explanation pane. */
  reason: string;
}

const NODE_ARCH: Record<Architecture, BinaryArch> = { x86_64: 'x64', arm64: 'arm64' };

/**
 * Decides whether a binary can load on Lambda: Linux, glibc (Amazon Linux), 64-bit, the target
 * architecture. Only header facts count; an `unknown` OS or arch is never called foreign.
 */
export function nativeVerdict(native: NativeInfo, arch: Architecture): NativeVerdict {
  const want = `linux-${NODE_ARCH[arch]}-glibc`;
  const libc = native.libc ? `-${native.libc}` : '';
  const what = `${native.format.toUpperCase()} binary for ${native.os}-${native.arch}${libc}`;
  if (native.os === 'unknown' || native.arch === 'unknown') return { platform: 'unknown', reason: `${what}; cannot tell whether it loads on ${want}` };
  if (native.os !== 'linux' || native.arch !== NODE_ARCH[arch] || native.libc === 'musl') {
    return { platform: 'foreign', reason: `${what}; the target is ${want}, which cannot load it` };
  }
  return { platform: 'target', reason: `${what}, which is the target ${want}` };
}
