import { createDeflateBlockWriter, type DeflateBlockWriter } from './create-deflate-block-writer.js';

/** A deflate compressor for one piece of input. */
export interface DeflateEngine {
  /**
   * Compresses `data` as raw deflate (RFC 1951). `dict` is the input that preceded it (at most
   * the last 32 KiB are used), so matches may reach back into it. A non-final piece ends with a
   * sync flush (an empty stored block) so that pieces compressed separately concatenate into one
   * valid stream; the final piece ends with the last block.
   */
  compress(dict: Uint8Array | null, data: Uint8Array, final: boolean): Uint8Array;
}

/**
 * zlib's level-6 deflate (deflate_slow: lazy matching, hash chains, good 8 / lazy 16 / nice 128 /
 * chain 128, TOO_FAR 4096, 16,383 symbols per block, stored/fixed/dynamic block choice), written
 * out because Node's bundled zlib is Chromium's fork, whose 4-byte hash compresses native binaries
 * about 2 % worse than stock zlib and Info-ZIP, and lambdafit's zips should be as small as `zip -6`.
 *
 * Self-contained apart from its block writer, which is passed in (so both can be shipped to
 * worker threads as source text, see `DeflatePool`).
 */
export function createDeflateEngine(makeBlockWriter: () => DeflateBlockWriter = createDeflateBlockWriter): DeflateEngine {
  const WSIZE = 32768;
  const MIN_MATCH = 3;
  const MAX_MATCH = 258;
  const HASH_SIZE = 1 << 15;
  const HASH_MASK = HASH_SIZE - 1;
  const GOOD = 8;
  const LAZY = 16;
  const NICE = 128;
  const CHAIN = 128;
  const TOO_FAR = 4096;
  const bw = makeBlockWriter();
  const head = new Int32Array(HASH_SIZE);
  let prev = new Int32Array(0);
  let window = new Uint8Array(0);

  return {
    compress(dict: Uint8Array | null, data: Uint8Array, final: boolean): Uint8Array {
      const dictLen = dict ? Math.min(dict.length, WSIZE) : 0;
      const end = dictLen + data.length;
      if (window.length < end + MAX_MATCH + 8) {
        window = new Uint8Array(end + MAX_MATCH + 8 + (end >>> 2));
        prev = new Int32Array(window.length);
      }
      if (dict && dictLen > 0) window.set(dict.subarray(dict.length - dictLen), 0);
      window.set(data, dictLen);
      window.fill(0, end, end + MAX_MATCH + 8);
      head.fill(-1);
      bw.begin(data.length + (data.length >>> 3) + 1024);
      const w = window;
      const pv = prev;
      const hd = head;
      // Rolling hash of the 3 bytes at a position: every position is inserted in order.
      let h = 0;
      const initHash = (pos: number): number => (((w[pos] as number) << 5) ^ (w[pos + 1] as number)) & HASH_MASK;
      if (end >= MIN_MATCH) h = initHash(0);
      for (let i = 0; i < dictLen && i + MIN_MATCH <= end; i++) {
        h = ((h << 5) ^ (w[i + 2] as number)) & HASH_MASK;
        pv[i] = hd[h] as number;
        hd[h] = i;
      }
      if (end >= MIN_MATCH && dictLen > 0) h = initHash(dictLen); // re-sync: the loop above may stop short
      let strstart = dictLen;
      let blockStart = dictLen;
      let matchStart = 0;
      let matchLength = MIN_MATCH - 1;
      let matchAvailable = false;
      const maxInsert = end - MIN_MATCH;

      while (strstart < end) {
        const lookahead = end - strstart;
        let hashHead = -1;
        if (strstart <= maxInsert) {
          h = ((h << 5) ^ (w[strstart + 2] as number)) & HASH_MASK;
          hashHead = hd[h] as number;
          pv[strstart] = hashHead;
          hd[h] = strstart;
        }
        const prevLength = matchLength;
        const prevMatch = matchStart;
        matchLength = MIN_MATCH - 1;
        if (hashHead >= 0 && prevLength < LAZY && strstart - hashHead <= WSIZE) {
          // longest_match, inlined: walk the hash chain for the longest match within 32 KiB.
          let cur = hashHead;
          let chain = prevLength >= GOOD ? CHAIN >> 2 : CHAIN;
          const nice = NICE > lookahead ? lookahead : NICE;
          let bestLen = prevLength;
          const scan = strstart;
          const limit = strstart > WSIZE ? strstart - WSIZE : 0; // also stops at -1, the end of a chain
          let end1 = w[scan + bestLen - 1] as number;
          let end0 = w[scan + bestLen] as number;
          const s0 = w[scan] as number;
          const s1 = w[scan + 1] as number;
          do {
            if (w[cur + bestLen] !== end0 || w[cur + bestLen - 1] !== end1 || w[cur] !== s0 || w[cur + 1] !== s1) continue;
            let len = 2;
            while (len < MAX_MATCH && w[cur + len] === w[scan + len]) len++;
            if (len > bestLen) {
              matchStart = cur;
              bestLen = len;
              if (len >= nice) break;
              end1 = w[scan + bestLen - 1] as number;
              end0 = w[scan + bestLen] as number;
            }
          } while ((cur = pv[cur] as number) >= limit && --chain !== 0);
          matchLength = bestLen <= lookahead ? bestLen : lookahead;
          if (matchLength === MIN_MATCH && strstart - matchStart > TOO_FAR) matchLength = MIN_MATCH - 1;
        }
        if (prevLength >= MIN_MATCH && matchLength <= prevLength) {
          const full = bw.tallyMatch(strstart - 1 - prevMatch, prevLength - MIN_MATCH);
          for (let k = prevLength - 2; k > 0; k--) {
            if (++strstart <= maxInsert) {
              h = ((h << 5) ^ (w[strstart + 2] as number)) & HASH_MASK;
              pv[strstart] = hd[h] as number;
              hd[h] = strstart;
            }
          }
          matchAvailable = false;
          matchLength = MIN_MATCH - 1;
          strstart++;
          if (full) {
            bw.flushBlock(w, blockStart, strstart - blockStart, false);
            blockStart = strstart;
          }
        } else if (matchAvailable) {
          if (bw.tallyLit(w[strstart - 1] as number)) {
            bw.flushBlock(w, blockStart, strstart - blockStart, false);
            blockStart = strstart;
          }
          strstart++;
        } else {
          matchAvailable = true;
          strstart++;
        }
      }
      if (matchAvailable) bw.tallyLit(w[strstart - 1] as number);
      if (final) bw.flushBlock(w, blockStart, strstart - blockStart, true);
      else {
        if (bw.pending() > 0 || strstart > blockStart) bw.flushBlock(w, blockStart, strstart - blockStart, false);
        bw.syncFlush(); // byte-aligns so the next piece can follow
      }
      return bw.take();
    },
  };
}
