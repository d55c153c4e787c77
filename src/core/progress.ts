/**
 * Progress events reported by core operations through their `onProgress` callback. Front-ends
 * render them (stderr lines, TUI, NDJSON); the core never prints.
 */
export type ProgressEvent =
  | { type: 'phase'; phase: string; message: string }
  | { type: 'scan:walk'; files: number; bytes: number }
  | { type: 'scan:compress'; done: number; total: number; bytes: number; cachedFiles: number }
  | { type: 'scan:done'; files: number; unzippedBytes: number; zippedBytes: number; ms: number }
  | { type: 'demo:step'; message: string }
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  | { type: 'sandbox:log'; line: string }
  | { type: 'quantize:step'; step: 'read' | 'quantize' | 'write' | 'measure' | 'sensitivity'; message: string }
  | { type: 'quantize:attempt'; variant: string; bytes: number; cosine: number | null; passed: boolean }
  | { type: 'fit:step'; step: string; status: 'start' | 'passed' | 'failed' | 'bisected' | 'skipped'; message: string; bytes?: number };

/** Callback that receives progress events. */
export type OnProgress = (event: ProgressEvent) => void;

/** Options every core operation accepts. */
export interface OperationOptions {
  /** Receives progress events; never required. */
  onProgress?: OnProgress;
  /** Cancels the operation; it then rejects with CancelledError. */
  signal?: AbortSignal;
}
