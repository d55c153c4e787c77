import type { Architecture } from '../config/config-schema.js';

/**
 * Placeholders a rule glob may use for the target architecture, because each ecosystem spells
 * it differently: onnxruntime-node and prebuilds say `x64`, manylinux wheels `x86_64`/`aarch64`.
 */
export const GLOB_VARIABLES = {
  /** Node's `process.arch`: x64 | arm64. */
  nodeArch: { x86_64: 'x64', arm64: 'arm64' },
  /** `uname -m`: x86_64 | aarch64. */
  unameArch: { x86_64: 'x86_64', arm64: 'aarch64' },
  /** Lambda's own name: x86_64 | arm64. */
  lambdaArch: { x86_64: 'x86_64', arm64: 'arm64' },
} as const satisfies Record<string, Record<Architecture, string>>;

const VARIABLE = /\$\{(\w+)\}/g;

/** Variable names a glob uses that `GLOB_VARIABLES` does not define. */
export function unknownGlobVariables(glob: string): string[] {
  return [...glob.matchAll(VARIABLE)].map((m) => m[1]!).filter((name) => !(name in GLOB_VARIABLES));
}

/** Replaces `${nodeArch}`-style placeholders with the target architecture's spelling. */
export function expandGlobVariables(glob: string, arch: Architecture): string {
  return glob.replace(VARIABLE, (whole, name: string) =>
    name in GLOB_VARIABLES ? GLOB_VARIABLES[name as keyof typeof GLOB_VARIABLES][arch] : whole,
  );
}
