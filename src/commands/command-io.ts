/** What the CLI hands every command: streams, cancellation and global flags. */
export interface CommandIO {
  stdout: NodeJS.WritableStream;
  /** Progress and logs; `isTTY` decides between an updating line and plain lines. */
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Fires on Ctrl-C / SIGTERM. */
  signal: AbortSignal;
  /** Print stack traces and extra diagnostics. */
  debug: boolean;
  /** Working directory that relative paths resolve against. */
  cwd: string;
  /** Environment (for GITHUB_ACTIONS, CI, NO_COLOR…). */
  env: NodeJS.ProcessEnv;
}

/** A command module: its help text and its entry point, which returns the exit code. */
export interface CommandModule {
  /** One line for the global help. */
  summary: string;
  /** Full `--help` text. */
  help: string;
  run(argv: string[], io: CommandIO): Promise<number>;
}
