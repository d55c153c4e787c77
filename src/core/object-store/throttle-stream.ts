import { Transform } from 'node:stream';

/**
 * A pass-through stream that holds throughput to `bytesPerSec`, pacing by the bytes sent so
 * far against the time elapsed (so bursts average out instead of each chunk sleeping).
 */
export function throttle(bytesPerSec: number): Transform {
  let sent = 0;
  let started = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (!Number.isFinite(bytesPerSec) || bytesPerSec <= 0) return done(null, chunk);
      if (started === 0) started = performance.now();
      sent += chunk.length;
      const due = started + (sent / bytesPerSec) * 1000;
      const wait = due - performance.now();
      if (wait > 1) setTimeout(() => done(null, chunk), wait);
      else done(null, chunk);
    },
  });
}
