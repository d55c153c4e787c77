/**
 * Reads exact byte counts from an async sequence of chunks (a gunzip stream), for parsers that
 * work in fixed-size blocks. Counts every byte it consumes, so callers can cap the total.
 */
export class ChunkReader {
  private pending: Buffer = Buffer.alloc(0);
  private done = false;
  /** Bytes consumed so far. */
  position = 0;

  /** @param source the chunks; @param onEnd builds the error thrown when data ends too early. */
  constructor(
    private readonly source: AsyncIterator<Buffer>,
    private readonly onEnd: (what: string) => Error,
  ) {}

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const r = await this.source.next();
    if (r.done) {
      this.done = true;
      return false;
    }
    this.pending = this.pending.length === 0 ? r.value : Buffer.concat([this.pending, r.value]);
    return true;
  }

  /** Exactly `n` bytes, `null` on a clean end before the first byte; throws via `onEnd` if it ends mid-way. */
  async read(n: number, what: string): Promise<Buffer | null> {
    while (this.pending.length < n) {
      if (!(await this.fill())) {
        if (this.pending.length === 0) return null;
        throw this.onEnd(what);
      }
    }
    const out = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(n);
    this.position += n;
    return out;
  }

  /** Yields exactly `n` bytes as they arrive (no concatenation); throws via `onEnd` if data ends first. */
  async *take(n: number, what: string): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.pending.length === 0 && !(await this.fill())) throw this.onEnd(what);
      const piece = this.pending.subarray(0, Math.min(left, this.pending.length));
      this.pending = this.pending.subarray(piece.length);
      this.position += piece.length;
      left -= piece.length;
      yield piece;
    }
  }

  /** Discards exactly `n` bytes. */
  async skip(n: number, what: string): Promise<void> {
    for await (const _ of this.take(n, what)) {
      // consumed by take()
    }
  }
}
