import { CancelledError, LambdafitError } from './core/errors.js';
import { packageVersion } from './core/package-root.js';
import type { CommandIO, CommandModule } from './commands/command-io.js';

// Each front-end is imported only when its command runs, so `lambdafit scan` never loads
// React or onnxruntime.
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  scan: async () => (await import('./commands/scan-command.js')).scanCommand,
  check: async () => (await import('./commands/check-command.js')).checkCommand,
  quantize: async () => (await import('./commands/quantize-command.js')).quantizeCommand,
  run: async () => (await import('./commands/run-command.js')).runCommand,
  serve: async () => (await import('./commands/serve-command.js')).serveCommand,
  fit: async () => (await import('./commands/fit-command.js')).fitCommand,
  export: async () => (await import('./commands/export-command.js')).exportCommand,
  demo: async () => (await import('./commands/demo-command.js')).demoCommand,
};

const EXIT_CODES = `Exit codes:
  0    ok / fits            1    does not fit, or a budget was missed
  2    usage or config error, or bad input (archive, model)
  3    sandbox / verification failure
  70   internal error (please report)      130  cancelled`;

async function globalHelp(): Promise<string> {
  const lines = [
    `lambdafit ${packageVersion()} — make machine-learning bundles fit AWS Lambda, and prove they still work there.`,
    '',
    'Usage: lambdafit <command> [path] [options]',
    '',
    'Commands:',
  ];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const mod = await load();
    lines.push(`  ${name.padEnd(10)} ${mod.summary}`);
  }
  lines.push(
    '',
    '`path` is a folder, a .zip (an existing Lambda package) or a .tar.gz; default ".".',
    'Every command takes --json (one JSON document on stdout), --config FILE and --debug.',
    'Run `lambdafit <command> --help` for its options.',
    '',
    EXIT_CODES,
  );
  return lines.join('\n') + '\n';
}

async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const debug = argv.includes('--debug');
  const json = argv.includes('--json');
  const io: CommandIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    signal: controller.signal,
    debug,
    cwd: process.cwd(),
    env: process.env,
  };
  const [first, ...rest] = argv;
  try {
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      process.stdout.write(await globalHelp());
      return first === undefined ? 2 : 0;
    }
    if (first === '--version' || first === '-v') {
      process.stdout.write(`${packageVersion()}\n`);
      return 0;
    }
    const load = COMMANDS[first];
    if (!load) {
      process.stderr.write(`lambdafit: unknown command "${first}". Run \`lambdafit --help\` for the list.\n`);
      return 2;
    }
    const command = await load();
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(command.help.endsWith('\n') ? command.help : command.help + '\n');
      return 0;
    }
    return await command.run(rest.filter((a) => a !== '--debug'), io);
  } catch (err) {
    const known = err instanceof LambdafitError ? err : controller.signal.aborted ? new CancelledError() : undefined;
    if (known) {
      if (json) process.stdout.write(JSON.stringify({ error: { code: known.code, message: known.message } }, null, 2) + '\n');
      process.stderr.write(`lambdafit: ${known.message}\n`);
      const problems = (known as { problems?: string[] }).problems;
      if (problems && problems.length > 1) {
        for (const p of problems.slice(0, 5)) process.stderr.write(`  - ${p}\n`);
        if (problems.length > 5) process.stderr.write(`  … and ${problems.length - 5} more\n`);
      }
      if (debug && known.stack) process.stderr.write(known.stack + '\n');
      return known.exitCode;
    }
    const e = err as Error;
    if (json) process.stdout.write(JSON.stringify({ error: { code: 'E_INTERNAL', message: e.message } }, null, 2) + '\n');
    process.stderr.write(
      `lambdafit: internal error: ${e.message}\nThis is a bug; please report it with lambdafit ${packageVersion()}, Node ${process.version}, ${process.platform}-${process.arch}` +
        (debug ? `.\n${e.stack}\n` : ', and the output of the same command with --debug.\n'),
    );
    return 70;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

const code = await main(process.argv.slice(2));
// Let pending stdout writes drain before exiting: a piped --json document must arrive whole.
process.stdout.write('', () => process.exit(code));
