import { appendFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { checkBundle } from '../core/check/check-bundle.js';
import { UsageError } from '../core/errors.js';
import { writeChunksAtomically } from '../core/write-chunks-atomically.js';
import { RISKS } from '../core/rules/schema.js';
import type { CommandModule } from './command-io.js';
import { formatCheckAnnotations } from './format-check-annotations.js';
import { formatCheckJunit } from './format-check-junit.js';
import { formatCheckReport } from './format-check-report.js';
import { formatCheckSummary } from './format-check-summary.js';
import { choiceFlag, parseCommandArgs } from './parse-command-args.js';
import { progressPrinter } from './progress-printer.js';
import { BUNDLE_FLAGS, BUNDLE_FLAGS_HELP, resolveBundleArgs } from './resolve-bundle-args.js';

/** `lambdafit check`: the headless fit check for CI. */
export const checkCommand: CommandModule = {
  summary: 'headless fit check for CI: limits, budgets and a sandbox verification, with JUnit and GitHub output',
  help: `Usage: lambdafit check [path] [options]

Answers whether the bundle, as it will be deployed, fits the target and still works:
  - with a plan (--plan, or "plan" in lambdafit.json): applies the plan's steps, checks the
    target's limits and the budgets, and verifies it in the sandbox (a cold start plus every
    sample event, answers compared with the outputs the plan recorded);
  - without a plan: applies the configured rule sets virtually (no file is changed; default
    node-safe, native-foreign, and python-seed for Python trees), checks the limits and size
    budgets, and runs the pruned bundle in the sandbox when lambdafit.json has "events" or a
    coldStartMs, warmP50Ms or maxMemoryMB budget.
Passing verifications are cached by content (bundle, plan, settings, events, lambdafit version,
sandbox mode): an unchanged bundle re-checks without running the sandbox.

  path             a folder, a .zip or a .tar.gz (default: .)
${BUNDLE_FLAGS_HELP}
  --plan FILE      the plan \`lambdafit fit --out\` wrote (default: "plan" in lambdafit.json)
  --junit FILE     also write the result as JUnit XML (one test case per check), atomically
  --no-verify      skip the sandbox (limits and size budgets only)
  --no-cache       do not read or write the scan and verification caches
  --max-risk R     without a plan: apply rules up to this risk: safe | caution | danger
                   (default danger: every rule of the configured sets)

In GitHub Actions (GITHUB_ACTIONS=true) every failed check is also printed as an
"::error file=…,title=…::message" annotation (on stderr with --json), and a Markdown table is
appended to $GITHUB_STEP_SUMMARY when it is set.

Examples:
  lambdafit check --target zip-direct
  lambdafit check --plan plan.json --junit reports/lambdafit.xml
  lambdafit check build/function.zip --json | jq .verdict

Exit codes: 0 fits (and works, when verified), 1 does not fit or a budget was missed,
2 usage, configuration or input error, 3 the function failed in the sandbox, its answers differ
from the plan's, or the plan was made for another version of the bundle.
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('check', argv, {
      ...BUNDLE_FLAGS,
      'max-risk': { type: 'string' },
      plan: { type: 'string' },
      junit: { type: 'string' },
      'no-verify': { type: 'boolean' },
      'no-cache': { type: 'boolean' },
    });
    const maxRisk = choiceFlag('max-risk', values['max-risk'], RISKS) ?? 'danger';
    if (values.junit === '') throw new UsageError('--junit needs a file name, e.g. --junit reports/lambdafit.xml.');
    const args = await resolveBundleArgs('check', positionals[0], values, io.cwd);
    const report = await checkBundle({
      path: args.path,
      config: args.config,
      configDir: args.configDir,
      ...(args.configPath ? { configPath: args.configPath } : {}),
      layers: args.layers,
      // Without --target or a configured one, the plan's own target applies.
      ...(values.target || args.config.target ? { target: args.target } : {}),
      arch: args.arch,
      ...(values.plan ? { planPath: resolve(io.cwd, values.plan) } : {}),
      maxRisk,
      verify: !values['no-verify'],
      ...(values['no-cache'] ? { cacheDir: false as const } : {}),
      cwd: io.cwd,
      onProgress: progressPrinter(io.stderr),
      signal: io.signal,
    });
    if (values.junit) {
      const file = resolve(io.cwd, values.junit);
      try {
        await writeChunksAtomically(file, [Buffer.from(formatCheckJunit(report), 'utf8')], io.signal);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
        throw new UsageError(`Cannot write the JUnit report to ${file} (${code}); create its folder or pass another --junit path.`, 'E_JUNIT_WRITE');
      }
    }
    if (values.json) io.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else io.stdout.write(formatCheckReport(report, io.cwd));
    if (io.env.GITHUB_ACTIONS === 'true') {
      const workspace = io.env.GITHUB_WORKSPACE || io.cwd;
      const annotations = formatCheckAnnotations(report, workspace);
      if (annotations) (values.json ? io.stderr : io.stdout).write(annotations);
      const summaryFile = io.env.GITHUB_STEP_SUMMARY;
      if (summaryFile) {
        await appendFile(summaryFile, formatCheckSummary(report, workspace)).catch((err: NodeJS.ErrnoException) => {
          io.stderr.write(`warning: cannot append the job summary to ${summaryFile} (${err.code}); the check result is unchanged.\n`);
        });
      }
    }
    return report.exitCode;
  },
};
