/** Turns deflate symbols into blocks: Huffman trees, block-type choice and bit output. */
export interface DeflateBlockWriter {
  /** Starts a new output (capacity hint in bytes). */
  begin(capacity: number): void;
  /** Records a literal; true when the block is full and must be flushed. */
  tallyLit(byte: number): boolean;
  /** Records a match (distance 1..32768, length − 3); true when the block is full. */
  tallyMatch(distance: number, lengthMinus3: number): boolean;
  /** Symbols recorded since the last flush. */
  pending(): number;
  /** Emits the recorded symbols as one block covering `input[start, start + length)`. */
  flushBlock(input: Uint8Array, start: number, length: number, last: boolean): void;
  /** Emits an empty stored block (a sync flush), which leaves the output byte-aligned. */
  syncFlush(): void;
  /** The bytes written since `begin`, as a fresh array. */
  take(): Uint8Array;
}

/**
 * zlib's trees.c: per block, dynamic Huffman trees built with zlib's heap order and length
 * limiting, then the cheapest of stored, fixed and dynamic encoding. Self-contained (no imports,
 * no outer references): its source text is shipped to worker threads with the engine.
 */
export function createDeflateBlockWriter(): DeflateBlockWriter {
  // Lets DeflatePool find the name a bundler's keep-names helper got (see WORKER_SOURCE there).
  const deflateHelperProbe = (): number => 0;
  void deflateHelperProbe;
  const LIT_BUFSIZE = 1 << 14;
  const L_CODES = 286;
  const D_CODES = 30;
  const BL_CODES = 19;
  const HEAP_SIZE = 2 * L_CODES + 1;
  const END_BLOCK = 256;
  const EXTRA_LBITS = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
  const EXTRA_DBITS = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
  const EXTRA_BLBITS = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7];
  const BL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

  const baseLength = new Int32Array(29);
  const lengthCode = new Uint8Array(256);
  const baseDist = new Int32Array(30);
  const distCode = new Uint8Array(512);
  {
    let length = 0;
    let code = 0;
    for (; code < 28; code++) {
      baseLength[code] = length;
      for (let n = 0; n < 1 << (EXTRA_LBITS[code] as number); n++) lengthCode[length++] = code;
    }
    lengthCode[length - 1] = code; // length 258 uses code 285, not 284 + 31
    let dist = 0;
    for (code = 0; code < 16; code++) {
      baseDist[code] = dist;
      for (let n = 0; n < 1 << (EXTRA_DBITS[code] as number); n++) distCode[dist++] = code;
    }
    dist >>= 7;
    for (; code < D_CODES; code++) {
      baseDist[code] = dist << 7;
      for (let n = 0; n < 1 << ((EXTRA_DBITS[code] as number) - 7); n++) distCode[256 + dist++] = code;
    }
  }
  const dCode = (d: number): number => (d < 256 ? (distCode[d] as number) : (distCode[256 + (d >> 7)] as number));

  const bitReverse = (code: number, len: number): number => {
    let res = 0;
    do {
      res |= code & 1;
      code >>>= 1;
      res <<= 1;
    } while (--len > 0);
    return res >>> 1;
  };

  interface Tree {
    freq: Uint16Array;
    len: Uint16Array;
    code: Uint16Array;
    dad: Uint16Array;
    maxCode: number;
  }
  const newTree = (): Tree => ({ freq: new Uint16Array(HEAP_SIZE), len: new Uint16Array(HEAP_SIZE), code: new Uint16Array(HEAP_SIZE), dad: new Uint16Array(HEAP_SIZE), maxCode: 0 });
  const blCount = new Uint16Array(16);
  const genCodes = (t: Tree, maxCode: number, counts: Uint16Array): void => {
    const next = new Uint16Array(16);
    let code = 0;
    for (let bits = 1; bits <= 15; bits++) {
      code = (code + (counts[bits - 1] as number)) << 1;
      next[bits] = code;
    }
    for (let n = 0; n <= maxCode; n++) {
      const len = t.len[n] as number;
      if (len !== 0) t.code[n] = bitReverse((next[len] as number)++, len);
    }
  };
  const staticL = newTree();
  const staticD = newTree();
  {
    const counts = new Uint16Array(16);
    for (let n = 0; n < 288; n++) {
      const l = n < 144 ? 8 : n < 256 ? 9 : n < 280 ? 7 : 8;
      staticL.len[n] = l;
      counts[l] = (counts[l] as number) + 1;
    }
    genCodes(staticL, 287, counts);
    for (let n = 0; n < D_CODES; n++) {
      staticD.len[n] = 5;
      staticD.code[n] = bitReverse(n, 5);
    }
  }

  const dynL = newTree();
  const dynD = newTree();
  const blTree = newTree();
  const heap = new Int32Array(HEAP_SIZE);
  const depth = new Uint8Array(HEAP_SIZE);
  let heapLen = 0;
  let heapMax = 0;
  let optLen = 0;
  let staticLen = 0;

  const smaller = (t: Tree, n: number, m: number): boolean =>
    (t.freq[n] as number) < (t.freq[m] as number) || (t.freq[n] === t.freq[m] && (depth[n] as number) <= (depth[m] as number));
  const downHeap = (t: Tree, k: number): void => {
    const v = heap[k] as number;
    let j = k << 1;
    while (j <= heapLen) {
      if (j < heapLen && smaller(t, heap[j + 1] as number, heap[j] as number)) j++;
      if (smaller(t, v, heap[j] as number)) break;
      heap[k] = heap[j] as number;
      k = j;
      j <<= 1;
    }
    heap[k] = v;
  };

  const genBitLen = (t: Tree, stree: Tree | null, extra: number[], base: number, maxLength: number): void => {
    blCount.fill(0);
    t.len[heap[heapMax] as number] = 0;
    let overflow = 0;
    let h = heapMax + 1;
    for (; h < HEAP_SIZE; h++) {
      const n = heap[h] as number;
      let bits = (t.len[t.dad[n] as number] as number) + 1;
      if (bits > maxLength) (bits = maxLength), overflow++;
      t.len[n] = bits;
      if (n > t.maxCode) continue;
      blCount[bits] = (blCount[bits] as number) + 1;
      const xbits = n >= base ? (extra[n - base] as number) : 0;
      const f = t.freq[n] as number;
      optLen += f * (bits + xbits);
      if (stree) staticLen += f * ((stree.len[n] as number) + xbits);
    }
    if (overflow === 0) return;
    do {
      let bits = maxLength - 1;
      while (blCount[bits] === 0) bits--;
      blCount[bits] = (blCount[bits] as number) - 1;
      blCount[bits + 1] = (blCount[bits + 1] as number) + 2;
      blCount[maxLength] = (blCount[maxLength] as number) - 1;
      overflow -= 2;
    } while (overflow > 0);
    for (let bits = maxLength; bits !== 0; bits--) {
      let n = blCount[bits] as number;
      while (n !== 0) {
        const m = heap[--h] as number;
        if (m > t.maxCode) continue;
        if (t.len[m] !== bits) {
          optLen += (bits - (t.len[m] as number)) * (t.freq[m] as number);
          t.len[m] = bits;
        }
        n--;
      }
    }
  };

  const buildTree = (t: Tree, stree: Tree | null, elems: number, extra: number[], base: number, maxLength: number): void => {
    heapLen = 0;
    heapMax = HEAP_SIZE;
    let maxCode = -1;
    for (let n = 0; n < elems; n++) {
      if (t.freq[n] !== 0) {
        heap[++heapLen] = maxCode = n;
        depth[n] = 0;
      } else t.len[n] = 0;
    }
    while (heapLen < 2) {
      const node = (heap[++heapLen] = maxCode < 2 ? ++maxCode : 0);
      t.freq[node] = 1;
      depth[node] = 0;
      optLen--;
      if (stree) staticLen -= stree.len[node] as number;
    }
    t.maxCode = maxCode;
    for (let n = heapLen >> 1; n >= 1; n--) downHeap(t, n);
    let node = elems;
    do {
      const n = heap[1] as number;
      heap[1] = heap[heapLen--] as number;
      downHeap(t, 1);
      const m = heap[1] as number;
      heap[--heapMax] = n;
      heap[--heapMax] = m;
      t.freq[node] = (t.freq[n] as number) + (t.freq[m] as number);
      depth[node] = Math.max(depth[n] as number, depth[m] as number) + 1;
      t.dad[n] = t.dad[m] = node;
      heap[1] = node++;
      downHeap(t, 1);
    } while (heapLen >= 2);
    heap[--heapMax] = heap[1] as number;
    genBitLen(t, stree, extra, base, maxLength);
    genCodes(t, maxCode, blCount);
  };

  // Output bit writer.
  let out = new Uint8Array(1 << 16);
  let outPos = 0;
  let bitBuf = 0;
  let bitCount = 0;
  const ensure = (n: number): void => {
    if (outPos + n <= out.length) return;
    const bigger = new Uint8Array(Math.max(out.length * 2, outPos + n));
    bigger.set(out.subarray(0, outPos));
    out = bigger;
  };
  const sendBits = (value: number, len: number): void => {
    bitBuf |= value << bitCount;
    bitCount += len;
    while (bitCount >= 8) {
      out[outPos++] = bitBuf & 0xff;
      bitBuf >>>= 8;
      bitCount -= 8;
    }
  };
  const alignByte = (): void => {
    if (bitCount > 0) out[outPos++] = bitBuf & 0xff;
    bitBuf = 0;
    bitCount = 0;
  };

  const scanTree = (t: Tree, maxCode: number): void => {
    let prevLen = -1;
    let nextLen = t.len[0] as number;
    let count = 0;
    let maxCount = nextLen === 0 ? 138 : 7;
    let minCount = nextLen === 0 ? 3 : 4;
    t.len[maxCode + 1] = 0xffff;
    for (let n = 0; n <= maxCode; n++) {
      const curLen = nextLen;
      nextLen = t.len[n + 1] as number;
      if (++count < maxCount && curLen === nextLen) continue;
      if (count < minCount) blTree.freq[curLen] = (blTree.freq[curLen] as number) + count;
      else if (curLen !== 0) {
        if (curLen !== prevLen) blTree.freq[curLen] = (blTree.freq[curLen] as number) + 1;
        blTree.freq[16] = (blTree.freq[16] as number) + 1;
      } else if (count <= 10) blTree.freq[17] = (blTree.freq[17] as number) + 1;
      else blTree.freq[18] = (blTree.freq[18] as number) + 1;
      count = 0;
      prevLen = curLen;
      if (nextLen === 0) (maxCount = 138), (minCount = 3);
      else if (curLen === nextLen) (maxCount = 6), (minCount = 3);
      else (maxCount = 7), (minCount = 4);
    }
  };
  const sendCode = (c: number, t: Tree): void => sendBits(t.code[c] as number, t.len[c] as number);
  const sendTree = (t: Tree, maxCode: number): void => {
    let prevLen = -1;
    let nextLen = t.len[0] as number;
    let count = 0;
    let maxCount = nextLen === 0 ? 138 : 7;
    let minCount = nextLen === 0 ? 3 : 4;
    for (let n = 0; n <= maxCode; n++) {
      const curLen = nextLen;
      nextLen = t.len[n + 1] as number;
      if (++count < maxCount && curLen === nextLen) continue;
      if (count < minCount) {
        do sendCode(curLen, blTree);
        while (--count !== 0);
      } else if (curLen !== 0) {
        if (curLen !== prevLen) {
          sendCode(curLen, blTree);
          count--;
        }
        sendCode(16, blTree);
        sendBits(count - 3, 2);
      } else if (count <= 10) {
        sendCode(17, blTree);
        sendBits(count - 3, 3);
      } else {
        sendCode(18, blTree);
        sendBits(count - 11, 7);
      }
      count = 0;
      prevLen = curLen;
      if (nextLen === 0) (maxCount = 138), (minCount = 3);
      else if (curLen === nextLen) (maxCount = 6), (minCount = 3);
      else (maxCount = 7), (minCount = 4);
    }
  };

  // Symbol buffer of the current block.
  const symDist = new Uint16Array(LIT_BUFSIZE);
  const symLc = new Uint8Array(LIT_BUFSIZE);
  let symNext = 0;
  const resetBlock = (): void => {
    dynL.freq.fill(0, 0, L_CODES);
    dynD.freq.fill(0, 0, D_CODES);
    blTree.freq.fill(0, 0, BL_CODES);
    dynL.freq[END_BLOCK] = 1;
    optLen = staticLen = 0;
    symNext = 0;
  };
  const tallyLit = (c: number): boolean => {
    symDist[symNext] = 0;
    symLc[symNext++] = c;
    dynL.freq[c] = (dynL.freq[c] as number) + 1;
    return symNext === LIT_BUFSIZE - 1;
  };
  const tallyMatch = (dist: number, lenMinus3: number): boolean => {
    symDist[symNext] = dist;
    symLc[symNext++] = lenMinus3;
    const lcode = (lengthCode[lenMinus3] as number) + 257;
    const dcode = dCode(dist - 1);
    dynL.freq[lcode] = (dynL.freq[lcode] as number) + 1;
    dynD.freq[dcode] = (dynD.freq[dcode] as number) + 1;
    return symNext === LIT_BUFSIZE - 1;
  };
  const compressBlock = (lt: Tree, dt: Tree): void => {
    // The hot path of block output: the bit buffer lives in locals here.
    let bb = bitBuf;
    let bc = bitCount;
    let op = outPos;
    const o = out;
    const lcode = lt.code;
    const llen = lt.len;
    const dcode = dt.code;
    const dlen = dt.len;
    for (let i = 0; i < symNext; i++) {
      let dist = symDist[i] as number;
      const lc = symLc[i] as number;
      if (dist === 0) {
        bb |= (lcode[lc] as number) << bc;
        bc += llen[lc] as number;
      } else {
        let code = lengthCode[lc] as number;
        bb |= (lcode[code + 257] as number) << bc;
        bc += llen[code + 257] as number;
        let extra = EXTRA_LBITS[code] as number;
        if (extra !== 0) {
          bb |= (lc - (baseLength[code] as number)) << bc;
          bc += extra;
        }
        while (bc >= 8) {
          o[op++] = bb & 0xff;
          bb >>>= 8;
          bc -= 8;
        }
        dist--;
        code = dist < 256 ? (distCode[dist] as number) : (distCode[256 + (dist >> 7)] as number);
        bb |= (dcode[code] as number) << bc;
        bc += dlen[code] as number;
        extra = EXTRA_DBITS[code] as number;
        if (extra !== 0) {
          while (bc >= 8) {
            o[op++] = bb & 0xff;
            bb >>>= 8;
            bc -= 8;
          }
          bb |= (dist - (baseDist[code] as number)) << bc;
          bc += extra;
        }
      }
      while (bc >= 8) {
        o[op++] = bb & 0xff;
        bb >>>= 8;
        bc -= 8;
      }
    }
    bitBuf = bb;
    bitCount = bc;
    outPos = op;
    sendCode(END_BLOCK, lt);
  };
  const storedBlock = (buf: Uint8Array, start: number, len: number, last: boolean): void => {
    do {
      const n = Math.min(len, 0xffff);
      len -= n;
      sendBits(last && len === 0 ? 1 : 0, 3);
      alignByte();
      ensure(n + 4);
      out[outPos++] = n & 0xff;
      out[outPos++] = n >>> 8;
      out[outPos++] = ~n & 0xff;
      out[outPos++] = (~n >>> 8) & 0xff;
      out.set(buf.subarray(start, start + n), outPos);
      outPos += n;
      start += n;
    } while (len > 0);
  };
  const flushBlock = (buf: Uint8Array, start: number, storedLen: number, last: boolean): void => {
    buildTree(dynL, staticL, L_CODES, EXTRA_LBITS, 257, 15);
    buildTree(dynD, staticD, D_CODES, EXTRA_DBITS, 0, 15);
    scanTree(dynL, dynL.maxCode);
    scanTree(dynD, dynD.maxCode);
    buildTree(blTree, null, BL_CODES, EXTRA_BLBITS, 0, 7);
    let maxBlIndex = BL_CODES - 1;
    for (; maxBlIndex >= 3; maxBlIndex--) if (blTree.len[BL_ORDER[maxBlIndex] as number] !== 0) break;
    optLen += 3 * (maxBlIndex + 1) + 5 + 5 + 4;
    let optLenB = (optLen + 3 + 7) >>> 3;
    const staticLenB = (staticLen + 3 + 7) >>> 3;
    if (staticLenB <= optLenB) optLenB = staticLenB;
    const storedCost = storedLen + 4 + 5 * Math.floor(Math.max(0, storedLen - 1) / 0xffff);
    ensure(((Math.max(optLen, staticLen) + 7) >>> 3) + storedLen + 64);
    if (storedCost <= optLenB) storedBlock(buf, start, storedLen, last);
    else if (staticLenB === optLenB) {
      sendBits(2 + (last ? 1 : 0), 3);
      compressBlock(staticL, staticD);
    } else {
      sendBits(4 + (last ? 1 : 0), 3);
      const lcodes = dynL.maxCode + 1;
      const dcodes = dynD.maxCode + 1;
      sendBits(lcodes - 257, 5);
      sendBits(dcodes - 1, 5);
      sendBits(maxBlIndex + 1 - 4, 4);
      for (let r = 0; r <= maxBlIndex; r++) sendBits(blTree.len[BL_ORDER[r] as number] as number, 3);
      sendTree(dynL, lcodes - 1);
      sendTree(dynD, dcodes - 1);
      compressBlock(dynL, dynD);
    }
    resetBlock();
    if (last) alignByte();
  };


  return {
    begin(capacity: number): void {
      if (out.length < capacity) out = new Uint8Array(capacity);
      outPos = 0;
      bitBuf = 0;
      bitCount = 0;
      resetBlock();
    },
    tallyLit,
    tallyMatch,
    pending: () => symNext,
    flushBlock,
    syncFlush(): void {
      storedBlock(out, 0, 0, false);
    },
    take: () => out.slice(0, outPos),
  };
}
