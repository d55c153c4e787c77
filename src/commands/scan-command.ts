import { analyzeBundle } from '../core/analyze/analyze-bundle.js';
import type { CommandModule } from './command-io.js';
import { formatScanReport } from './format-scan-report.js';
import { parseCommandArgs } from './parse-command-args.js';
import { progressPrinter } from './progress-printer.js';
import { BUNDLE_FLAGS, BUNDLE_FLAGS_HELP, resolveBundleArgs } from './resolve-bundle-args.js';

/** `lambdafit scan`: size report against every limit, and what each rule would remove. */
export const scanCommand: CommandModule = {
  summary: 'size report against every Lambda limit, with candidate savings per rule',
  help: `Usage: lambdafit scan [path] [options]

Measures a bundle against every Lambda limit: unzipped and zipped size (the exact size of the zip
lambdafit would write), layers, environment, memory, /tmp and timeout settings. Lists the largest
packages, bytes by kind, native binaries with the OS and CPU their headers name, duplicate files,
and what each pruning rule would remove, with its risk. Reads archives without extracting them;
never changes the bundle.

  path             a folder, a .zip or a .tar.gz (default: .)
${BUNDLE_FLAGS_HELP}
  --rules SETS     comma-separated rule sets to match (default: lambdafit.json "rules.use", else
                   node-safe, native-foreign, python-seed for Python trees, dedupe)
  --no-cache       do not read or write the compressed-size cache
  --top N          rows shown per section (default 10)

Examples:
  lambdafit scan                       the current folder against zip-s3
  lambdafit scan function.zip --target zip-direct --arch arm64
  lambdafit scan . --layer layers/ort --json > scan.json

Exit codes: 0 the bundle fits the target as it is, 1 it does not, 2 bad usage or input.
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('scan', argv, {
      ...BUNDLE_FLAGS,
      rules: { type: 'string' },
      'no-cache': { type: 'boolean' },
      top: { type: 'string' },
    });
    const args = await resolveBundleArgs('scan', positionals[0], values, io.cwd);
    const analysis = await analyzeBundle({
      ...args,
      ...(values.rules ? { ruleSets: values.rules.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
      ...(values['no-cache'] ? { cacheDir: false as const } : {}),
      onProgress: progressPrinter(io.stderr),
      signal: io.signal,
    });
    if (values.json) {
      const { scanReportJson } = await import('./scan-report-json.js');
      io.stdout.write(JSON.stringify(scanReportJson(analysis), null, 2) + '\n');
    } else {
      io.stdout.write(formatScanReport(analysis, { top: values.top ? Number(values.top) : 10 }));
    }
    return analysis.fits ? 0 : 1;
  },
};
