import type { OnProgress, ProgressEvent } from '../progress.js';

/**
 * Forwards progress events at most once per interval per event type (the last one wins), so a
 * scan of 30,000 files reports a few dozen events, not 30,000. `flush` sends what is pending.
 */
export class ProgressThrottle {
  private readonly last = new Map<string, number>();
  private readonly pending = new Map<string, ProgressEvent>();

  /** @param onProgress receiver (may be undefined); @param intervalMs minimum gap per event type; @param now clock. */
  constructor(
    private readonly onProgress: OnProgress | undefined,
    private readonly intervalMs = 100,
    private readonly now: () => number = Date.now,
  ) {}

  /** Emits now if the interval has passed for this type, else keeps it as pending. */
  emit(event: ProgressEvent): void {
    if (!this.onProgress) return;
    const t = this.now();
    const prev = this.last.get(event.type);
    if (prev !== undefined && t - prev < this.intervalMs) {
      this.pending.set(event.type, event);
      return;
    }
    this.last.set(event.type, t);
    this.pending.delete(event.type);
    this.onProgress(event);
  }

  /** Sends pending events of a type (or all). */
  flush(type?: ProgressEvent['type']): void {
    if (!this.onProgress) return;
    for (const [k, e] of [...this.pending]) {
      if (type && k !== type) continue;
      this.pending.delete(k);
      this.last.set(k, this.now());
      this.onProgress(e);
    }
  }
}
