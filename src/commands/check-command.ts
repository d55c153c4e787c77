import { analyzeBundle } from '../core/analyze/analyze-bundle.js';
import { evaluateSizeCheck } from '../core/check/evaluate-size-check.js';
import { RISKS } from '../core/rules/schema.js';
import type { CommandModule } from './command-io.js';
import { formatCheckReport } from './format-check-report.js';
import { choiceFlag, parseCommandArgs } from './parse-command-args.js';
import { progressPrinter } from './progress-printer.js';
import { BUNDLE_FLAGS, BUNDLE_FLAGS_HELP, resolveBundleArgs } from './resolve-bundle-args.js';

/** `lambdafit check`: the headless fit check for CI. */
export const checkCommand: CommandModule = {
  summary: 'headless fit check for CI: does the bundle fit after the configured rules?',
  help: `Usage: lambdafit check [path] [options]

Applies the configured rule sets to the bundle virtually (no file is changed) and answers whether
the result fits the deploy target. Rule sets come from lambdafit.json ("rules.use", "keep",
"drop", "disable"); without configuration: node-safe, native-foreign, and python-seed when the
bundle holds a Python tree.

  path             a folder, a .zip or a .tar.gz (default: .)
${BUNDLE_FLAGS_HELP}
  --max-risk R     apply rules up to this risk: safe | caution | danger (default danger: every
                   rule of the configured sets)

Examples:
  lambdafit check --target zip-direct
  lambdafit check build/function.zip --json | jq .verdict

Exit codes: 0 fits, 1 does not fit, 2 usage, configuration or input error.
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('check', argv, { ...BUNDLE_FLAGS, 'max-risk': { type: 'string' } });
    const maxRisk = choiceFlag('max-risk', values['max-risk'], RISKS) ?? 'danger';
    const args = await resolveBundleArgs('check', positionals[0], values, io.cwd);
    const analysis = await analyzeBundle(
      {
        ...args,
        onProgress: progressPrinter(io.stderr),
        signal: io.signal,
      },
      'check',
    );
    const result = evaluateSizeCheck(analysis, args.config, maxRisk);
    if (values.json) {
      io.stdout.write(JSON.stringify({ ...result, bundle: args.path, ruleSets: analysis.ruleSets }, null, 2) + '\n');
    } else {
      io.stdout.write(formatCheckReport(result, args.path));
    }
    return result.verdict === 'fits' ? 0 : 1;
  },
};
