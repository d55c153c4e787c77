// Bundles src/cli.ts into dist/cli.js. Runs on `npm install` (prepare) so a fresh clone has a
// working `npx lambdafit`. Heavy or native dependencies stay external and load lazily.
import { build } from 'esbuild';
import { chmod } from 'node:fs/promises';

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  external: ['onnxruntime-node', 'esbuild', 'ink', 'react', 'react/jsx-runtime', 'yoga-layout'],
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __lfCreateRequire } from 'node:module'; const require = __lfCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
await chmod('dist/cli.js', 0o755);
