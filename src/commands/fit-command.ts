import { resolve } from 'node:path';
import { fitBundle } from '../core/fit/fit-bundle.js';
import { writeFitPlan } from '../core/plan/write-fit-plan.js';
import { RISKS } from '../core/rules/schema.js';
import type { CommandModule } from './command-io.js';
import { formatFitReport } from './format-fit-report.js';
import { choiceFlag, parseCommandArgs } from './parse-command-args.js';
import { progressPrinter } from './progress-printer.js';
import { BUNDLE_FLAGS, BUNDLE_FLAGS_HELP, resolveBundleArgs } from './resolve-bundle-args.js';

/** `lambdafit fit`: the verified optimisation loop. */
export const fitCommand: CommandModule = {
  summary: 'make the bundle fit: prune and quantize, verifying every step in the sandbox',
  help: `Usage: lambdafit fit [path] [options]

Runs the unmodified bundle in the sandbox on the sample events ("events" in lambdafit.json, else
{}) and records its answers. Then tries, in order, removing binaries for other platforms, the
rule sets' files by risk, and quantizing models; each step runs on a private copy (the input is
never changed), is verified with a cold start plus every event, and is kept, bisected down to the
files that matter, or rolled back. Placements (Node.js) come last: the model fetched from object
storage at init whenever there is a model, and when the bundle still does not fit, dependencies
unpacked into /tmp at init, layers, a container image; each runs against a local S3-compatible
store with in-Region S3's bandwidth and latency. Prints the plan and the measured alternatives.

  path             a folder, a .zip or a .tar.gz (default: .)
${BUNDLE_FLAGS_HELP}
  --out FILE       write the plan (JSON) to FILE, atomically
  --max-risk R     highest rule risk to try: safe | caution | danger (default caution)
  --no-quantize    do not quantize models
  --no-placement   do not try placements (model from S3, dependencies to /tmp, layers, image)

Examples:
  lambdafit fit --target zip-s3 --out plan.json
  lambdafit fit build/function.zip --target zip-direct --json > plan.json

Exit codes: 0 a verified plan fits, 1 nothing fits (the report says why and what to try),
2 usage, configuration or input error, 3 the unmodified bundle fails in the sandbox.
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('fit', argv, {
      ...BUNDLE_FLAGS,
      out: { type: 'string' },
      'max-risk': { type: 'string' },
      'no-quantize': { type: 'boolean' },
      'no-placement': { type: 'boolean' },
    });
    const maxRisk = choiceFlag('max-risk', values['max-risk'], RISKS) ?? 'caution';
    const args = await resolveBundleArgs('fit', positionals[0], values, io.cwd);
    const result = await fitBundle({
      ...args,
      maxRisk,
      quantize: !values['no-quantize'],
      placements: !values['no-placement'],
      cwd: io.cwd,
      ownFiles: [...(args.configPath ? [args.configPath] : []), ...(values.out ? [resolve(io.cwd, values.out)] : [])],
      onProgress: progressPrinter(io.stderr),
      signal: io.signal,
    });
    if (values.out) await writeFitPlan(resolve(io.cwd, values.out), result.plan);
    if (values.json) io.stdout.write(JSON.stringify(result.plan, null, 2) + '\n');
    else io.stdout.write(formatFitReport(result.plan, result));
    return result.plan.chosen !== null ? 0 : 1;
  },
};
