import type { OnProgress, ProgressEvent } from '../core/progress.js';
import { formatBytes, formatMs } from './format-bytes.js';

/**
 * Prints core progress events on stderr: one updating line on a terminal, plain lines (at most
 * one per second per kind) otherwise, so CI logs stay readable.
 */
export function progressPrinter(stderr: NodeJS.WritableStream & { isTTY?: boolean }, quiet = false): OnProgress {
  const tty = Boolean(stderr.isTTY);
  let lastLine = 0;
  let transient = false;
  const lastPlain = new Map<string, number>();
  const write = (text: string, final: boolean) => {
    if (quiet) return;
    if (tty) {
      stderr.write(`\r\x1b[2K${text}${final ? '\n' : ''}`);
      transient = !final;
      return;
    }
    const now = Date.now();
    const key = text.split(':')[0] ?? '';
    if (!final && now - (lastPlain.get(key) ?? 0) < 1000) return;
    lastPlain.set(key, now);
    stderr.write(`${text}\n`);
  };
  return (event: ProgressEvent) => {
    const now = Date.now();
    switch (event.type) {
      case 'scan:walk':
        if (now - lastLine < 100) return;
        lastLine = now;
        return write(`scanning: ${event.files.toLocaleString('en-US')} files, ${formatBytes(event.bytes)}`, false);
      case 'scan:compress':
        if (now - lastLine < 100) return;
        lastLine = now;
        return write(
          `measuring zipped size: ${event.done.toLocaleString('en-US')}/${event.total.toLocaleString('en-US')} files (${event.cachedFiles.toLocaleString('en-US')} cached)`,
          false,
        );
      case 'scan:done':
        return write(`scanned ${event.files.toLocaleString('en-US')} files, ${formatBytes(event.unzippedBytes)} in ${formatMs(event.ms)}`, true);
      case 'log':
        if (transient) stderr.write('\n');
        transient = false;
        return void (!quiet && stderr.write(`${event.level === 'warn' ? 'warning: ' : ''}${event.message}\n`));
      default:
        if ('message' in event && typeof event.message === 'string') {
          if (transient) stderr.write('\n');
          transient = false;
          if (!quiet) stderr.write(`${event.message}\n`);
        }
    }
  };
}
