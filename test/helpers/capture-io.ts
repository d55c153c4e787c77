import { PassThrough } from 'node:stream';
import type { CommandIO } from '../../src/commands/command-io.js';

/** A CommandIO whose stdout and stderr are collected, for calling a command module in process. */
export function captureIo(cwd: string): CommandIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { stdout, stderr, signal: new AbortController().signal, debug: false, cwd, env: {}, out: () => out, err: () => err };
}
