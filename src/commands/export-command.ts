import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { exportBundle } from '../core/export/export-bundle.js';
import type { CommandModule } from './command-io.js';
import { formatExportReport } from './format-export-report.js';
import { parseCommandArgs } from './parse-command-args.js';
import { progressPrinter } from './progress-printer.js';
import { BUNDLE_FLAGS, BUNDLE_FLAGS_HELP, resolveBundleArgs } from './resolve-bundle-args.js';
import { UsageError } from '../core/errors.js';

/**
 * Test hook (LAMBDAFIT_EXPORT_HOLD=FILE): once everything is written, write FILE and wait there
 * until cancelled, so a test can kill the export at its most delicate moment deterministically.
 */
function holdBeforeCommit(marker: string, signal: AbortSignal): () => Promise<void> {
  return async () => {
    await writeFile(marker, `${process.pid}\n`);
    const keepAlive = setInterval(() => {}, 60_000);
    await new Promise<void>((ok) => signal.addEventListener('abort', () => ok(), { once: true }));
    clearInterval(keepAlive);
  };
}

const EXIT = { exported: 0, 'does-not-fit': 1, 'verification-failed': 3 } as const;

/** `lambdafit export`: the deploy-ready artifacts, re-verified. */
export const exportCommand: CommandModule = {
  summary: 'write the deploy-ready bundle (zip, layers, objects, manifest, SAM template), re-verified',
  help: `Usage: lambdafit export [path] --out DIR [options]

Applies the fit plan (--plan, else "plan" in lambdafit.json, else none: the bundle is exported
unchanged) to the unmodified input and writes to DIR:
  function.zip       the deterministic function package (sorted entries, fixed timestamps or
                     SOURCE_DATE_EPOCH, modes 0644/0755, zip64 when needed)
  layers/NAME.zip    the configured layers and the plan's, in the /opt layout
  objects/KEY        what the plan loads from S3 at init, ready to upload
  manifest.json      the audit trail: input hash, removed files with rule and reason, keep-rules
                     with their evidence, quantization metrics, measurements, limits, version
  template.yaml      SAM template (sam deploy --guided)
  deploy.sh          the same with the AWS CLI (ROLE_ARN, BUCKET from the environment)
  Dockerfile         when the plan ships a container image (with function/ and layers/NAME/)
Before publishing, the written zip is scanned against the target's limits and cold-started in the
sandbox with the sample events; its responses must match those the plan recorded. DIR is written
atomically: it appears only when everything passed, and an interrupted export leaves it as it was.

  path             a folder, a .zip or a .tar.gz (default: .)
${BUNDLE_FLAGS_HELP}
  --plan FILE      the plan from \`lambdafit fit --out FILE\` (default: "plan" in lambdafit.json)
  --out DIR        output folder (required; must not exist, or pass --force)
  --force          replace an existing DIR (atomically)
  --no-verify      skip the cold start of the zip (the limits check and the size check still run)

--json prints {"status", "out", "plan", "failed", "manifest"}: status is exported, does-not-fit or
verification-failed; plan is option, config or none; failed lists the limits missed; manifest is
the content of manifest.json (also when nothing was written).

Examples:
  lambdafit fit --out plan.json && lambdafit export --plan plan.json --out build/lambda
  lambdafit export function.zip --out build/lambda --force --json

Exit codes: 0 exported, 1 the artifact does not fit the target, 2 usage, configuration or input
error (an existing DIR without --force, a plan made for another bundle), 3 the exported zip failed
its cold start, 70 internal error (the zip's size differs from the prediction).
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('export', argv, {
      ...BUNDLE_FLAGS,
      plan: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
      'no-verify': { type: 'boolean' },
    });
    if (!values.out) throw new UsageError('export needs --out DIR (where the artifacts go). Run `lambdafit export --help` for the usage.');
    const args = await resolveBundleArgs('export', positionals[0], values, io.cwd);
    const result = await exportBundle({
      ...args,
      // Without the flags, the plan's target and architecture (what was verified) win over the file's.
      target: values.target ? args.target : undefined,
      arch: values.arch ? args.arch : undefined,
      layers: args.layers,
      ...(values.plan ? { planPath: resolve(io.cwd, values.plan) } : {}),
      out: resolve(io.cwd, values.out),
      force: Boolean(values.force),
      verify: !values['no-verify'],
      cwd: io.cwd,
      env: { ...process.env, ...io.env },
      onProgress: progressPrinter(io.stderr),
      signal: io.signal,
      ...(io.env.LAMBDAFIT_EXPORT_HOLD ? { beforeCommit: holdBeforeCommit(io.env.LAMBDAFIT_EXPORT_HOLD, io.signal) } : {}),
    });
    if (values.json) {
      io.stdout.write(JSON.stringify({ status: result.status, out: result.out, plan: result.planSource, failed: result.failed, manifest: result.manifest }, null, 2) + '\n');
    } else io.stdout.write(formatExportReport(result));
    return EXIT[result.status];
  },
};
