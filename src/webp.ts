/**
 * Lossless WebP (VP8L) of a palette image, written by hand. Through the
 * canvas a 512 px heatmap tile took 19 times as long as the indexed PNG and
 * came out 3 times larger (libwebp at its highest effort, on RGBA). A heatmap
 * is a palette image of long runs, which VP8L codes directly:
 *
 *   RIFF "WEBP" "VP8L": header, colour-indexing transform (the palette,
 *   delta-coded), then the indices: one prefix-coded green symbol per
 *   literal, or a backward reference copying the pixel to the left (runs)
 *   or the one above (rows like the row before), all in one pass.
 *
 * Follows the WebP Lossless Bitstream Specification (RFC 9649).
 */
import { HotpotError } from "./errors.ts";

/** Copies shorter than this are written as literals: a reference costs about as much as three. */
const MIN_COPY = 3;
/** The longest backward reference the format allows. */
const MAX_COPY = 4096;
/** Number of length prefix codes, appended to the 256 green literals. */
const LENGTH_CODES = 24;
const DISTANCE_CODES = 40;
/** Prefix code lengths are at most 15 bits; the code-length code's at most 7. */
const MAX_CODE_LENGTH = 15;
const MAX_CLC_LENGTH = 7;
/** The order the code-length code's own lengths are written in. */
const CLC_ORDER = [17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
/** Distance codes for "the pixel above" and "the pixel to the left" (the spec's 2D neighbourhood). */
const ABOVE = 1;
const LEFT = 2;

/** Least-significant-bit-first bit writer. */
class Bits {
  bytes = new Uint8Array(4096);
  length = 0;
  private acc = 0;
  private used = 0;

  write(value: number, count: number): void {
    // At most 24 bits at a time keeps the accumulator inside 32 bits.
    while (count > 16) {
      this.write(value & 0xffff, 16);
      value >>>= 16;
      count -= 16;
    }
    this.acc |= value << this.used;
    this.used += count;
    while (this.used >= 8) {
      if (this.length === this.bytes.length) {
        const grown = new Uint8Array(this.bytes.length * 2);
        grown.set(this.bytes);
        this.bytes = grown;
      }
      this.bytes[this.length++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.used -= 8;
    }
  }

  finish(): Uint8Array {
    if (this.used > 0) this.write(0, 8 - this.used);
    return this.bytes.subarray(0, this.length);
  }
}

/**
 * A canonical prefix code: lengths and bit-reversed codes, ready to write
 * LSB first. A code with one used symbol is written with 0 bits per symbol
 * (what decoders do with a lone symbol), so `bits` is then 0.
 */
interface PrefixCode {
  lengths: Uint8Array;
  codes: Uint16Array;
  /** 0 when a single symbol is used: its emissions take no bits. */
  single: boolean;
}

/**
 * Huffman code lengths for `counts`, limited to `maxLength` by halving the
 * counts until the tree is shallow enough (the distribution barely changes).
 * Leaves sorted once; merged nodes come out in order, so two queues replace a heap.
 */
function codeLengths(counts: Uint32Array, maxLength: number): Uint8Array {
  const n = counts.length;
  const lengths = new Uint8Array(n);
  const leaves: number[] = [];
  for (let i = 0; i < n; i++) if (counts[i] > 0) leaves.push(i);
  if (leaves.length === 0) return lengths;
  if (leaves.length === 1) {
    lengths[leaves[0]] = 1;
    return lengths;
  }
  const weight = new Float64Array(2 * n);
  const parent = new Int32Array(2 * n);
  for (let shift = 0; ; shift++) {
    for (const i of leaves) weight[i] = Math.max(1, Math.floor(counts[i] / 2 ** shift));
    leaves.sort((a, b) => weight[a] - weight[b] || a - b);
    // Internal nodes are numbered from n up, in the order they are made (by rising weight).
    let leaf = 0;
    let inner = n;
    let next = n;
    const take = () => (leaf < leaves.length && (inner === next || weight[leaves[leaf]] <= weight[inner]) ? leaves[leaf++] : inner++);
    while (leaves.length - leaf + (next - inner) > 1) {
      const a = take();
      const b = take();
      weight[next] = weight[a] + weight[b];
      parent[a] = next;
      parent[b] = next;
      next++;
    }
    // The root is the last node made; depths follow parents, which always point higher.
    const depth = new Uint8Array(2 * n);
    let deepest = 0;
    for (let node = next - 2; node >= n; node--) depth[node] = depth[parent[node]] + 1;
    for (const i of leaves) {
      lengths[i] = depth[parent[i]] + 1;
      if (lengths[i] > deepest) deepest = lengths[i];
    }
    if (deepest <= maxLength) return lengths;
  }
}

function prefixCode(lengths: Uint8Array): PrefixCode {
  const n = lengths.length;
  const codes = new Uint16Array(n);
  const perLength = new Uint16Array(MAX_CODE_LENGTH + 1);
  let used = 0;
  for (let i = 0; i < n; i++) {
    if (lengths[i]) {
      perLength[lengths[i]]++;
      used++;
    }
  }
  const nextCode = new Uint16Array(MAX_CODE_LENGTH + 2);
  let code = 0;
  for (let len = 1; len <= MAX_CODE_LENGTH; len++) {
    code = (code + perLength[len - 1]) << 1;
    nextCode[len] = code;
  }
  for (let i = 0; i < n; i++) {
    const len = lengths[i];
    if (!len) continue;
    // Canonical codes are defined MSB first; the bit stream is LSB first.
    let c = nextCode[len]++;
    let reversed = 0;
    for (let b = 0; b < len; b++) {
      reversed = (reversed << 1) | (c & 1);
      c >>= 1;
    }
    codes[i] = reversed;
  }
  return { lengths, codes, single: used === 1 };
}

function emit(bits: Bits, code: PrefixCode, symbol: number): void {
  if (!code.single) bits.write(code.codes[symbol], code.lengths[symbol]);
}

/** Writes a prefix code's lengths: a simple code for one or two small symbols, else a normal code. */
function writeCode(bits: Bits, lengths: Uint8Array): void {
  const used: number[] = [];
  for (let i = 0; i < lengths.length && used.length < 3; i++) if (lengths[i]) used.push(i);
  if (used.length === 0) used.push(0);
  if (used.length <= 2 && used.every((s) => s < 256)) {
    bits.write(1, 1); // simple code
    bits.write(used.length - 1, 1);
    const wide = used[0] > 1;
    bits.write(wide ? 1 : 0, 1);
    bits.write(used[0], wide ? 8 : 1);
    if (used.length === 2) bits.write(used[1], 8);
    return;
  }
  bits.write(0, 1); // normal code
  // The lengths as code-length symbols: 0-15 literally, 17 and 18 for runs of zeros.
  const symbols: number[] = [];
  const extras: number[] = [];
  for (let i = 0; i < lengths.length; ) {
    if (lengths[i] !== 0) {
      symbols.push(lengths[i++]);
      extras.push(0);
      continue;
    }
    let run = 1;
    while (i + run < lengths.length && lengths[i + run] === 0 && run < 138) run++;
    if (run >= 11) {
      symbols.push(18);
      extras.push(run - 11);
    } else if (run >= 3) {
      symbols.push(17);
      extras.push(run - 3);
    } else {
      for (let k = 0; k < run; k++) {
        symbols.push(0);
        extras.push(0);
      }
    }
    i += run;
  }
  const clcCounts = new Uint32Array(19);
  for (const s of symbols) clcCounts[s]++;
  const clc = prefixCode(codeLengths(clcCounts, MAX_CLC_LENGTH));
  let count = 19;
  while (count > 4 && clc.lengths[CLC_ORDER[count - 1]] === 0) count--;
  bits.write(count - 4, 4);
  for (let i = 0; i < count; i++) bits.write(clc.lengths[CLC_ORDER[i]], 3);
  bits.write(0, 1); // every symbol of the alphabet is coded (no max_symbol)
  for (let i = 0; i < symbols.length; i++) {
    emit(bits, clc, symbols[i]);
    if (symbols[i] === 17) bits.write(extras[i], 3);
    else if (symbols[i] === 18) bits.write(extras[i], 7);
  }
}

/**
 * Lengths and distances are coded as a prefix symbol plus extra bits:
 * v < 4 is its own prefix; above, the prefix holds the top two bits' place.
 */
function prefixOf(v: number): number {
  if (v < 4) return v;
  const high = 31 - Math.clz32(v);
  return 2 * high + ((v >>> (high - 1)) & 1);
}

const extraBitsOf = (prefix: number) => (prefix < 4 ? 0 : (prefix - 2) >> 1);

/** Byte shifts of green, red, blue and alpha in ARGB: the order VP8L codes a pixel's channels in. */
const CHANNEL_SHIFTS = [8, 16, 0, 24];

/** Writes pixels as green/red/blue/alpha literals only, with their own codes (the palette sub-image). */
function writeLiteralImage(bits: Bits, argb: Uint32Array): void {
  bits.write(0, 1); // no colour cache
  const codes: PrefixCode[] = [];
  for (let c = 0; c < 4; c++) {
    const counts = new Uint32Array(c === 0 ? 256 + LENGTH_CODES : 256);
    for (let i = 0; i < argb.length; i++) counts[(argb[i] >>> CHANNEL_SHIFTS[c]) & 0xff]++;
    const lengths = codeLengths(counts, MAX_CODE_LENGTH);
    writeCode(bits, lengths);
    codes.push(prefixCode(lengths));
  }
  writeCode(bits, new Uint8Array(DISTANCE_CODES)); // no references: any code will do
  for (let i = 0; i < argb.length; i++) {
    for (let c = 0; c < 4; c++) emit(bits, codes[c], (argb[i] >>> CHANNEL_SHIFTS[c]) & 0xff);
  }
}

/** Token flag of a backward reference: COPY | (length - 1) << 1 | (1 if from above, 0 if from the left). */
const COPY = 0x10000;
/** Tokens of the last image, reused (encoding is synchronous); grown to the largest image seen. */
let tokenScratch = new Uint32Array(0);

/**
 * The indices as literals and backward references, chosen greedily: the
 * longer of "the pixel to the left, repeated" and "the pixels above". Kept
 * a small function of its own: inside the large encoder JSC compiled these
 * loops four times slower.
 */
function tokenize(indices: Uint8Array, width: number, n: number): Uint32Array {
  if (tokenScratch.length < n) tokenScratch = new Uint32Array(n);
  const tokens = tokenScratch;
  let count = 0;
  for (let p = 0; p < n; ) {
    const end = p + MAX_COPY < n ? p + MAX_COPY : n;
    let left = 0;
    if (p > 0) {
      const v = indices[p - 1];
      let q = p;
      while (q < end && indices[q] === v) q++;
      left = q - p;
    }
    let above = 0;
    if (p >= width) {
      let q = p;
      while (q < end && indices[q] === indices[q - width]) q++;
      above = q - p;
    }
    const length = left > above ? left : above;
    if (length >= MIN_COPY) {
      tokens[count++] = COPY | ((length - 1) << 1) | (above >= left ? 1 : 0);
      p += length;
    } else {
      tokens[count++] = indices[p++];
    }
  }
  return tokens.subarray(0, count);
}

function writeTokens(bits: Bits, tokens: Uint32Array, greenCode: PrefixCode, distanceCode: PrefixCode): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t < COPY) {
      emit(bits, greenCode, t);
      continue;
    }
    const v = (t & 0xffff) >>> 1;
    const prefix = prefixOf(v);
    const extraBits = extraBitsOf(prefix);
    emit(bits, greenCode, 256 + prefix);
    if (extraBits > 0) bits.write(v - ((2 + (prefix & 1)) << extraBits), extraBits);
    emit(bits, distanceCode, t & 1 ? ABOVE - 1 : LEFT - 1);
  }
}

/**
 * Lossless WebP of `indices` (width x height, row-major) into `palette`
 * (ARGB per index, 0xAARRGGBB). Every index must be below palette.length.
 */
export function encodeIndexedWebp(indices: Uint8Array, width: number, height: number, palette: Uint32Array): Uint8Array {
  if (width < 1 || height < 1 || width > 16384 || height > 16384) {
    // A user's --width/--height can ask for more than the format holds.
    throw new HotpotError("too_large", `webp: expected 1 to 16384 pixels a side, found ${width} x ${height}`);
  }
  const bits = new Bits();
  bits.write(0x2f, 8); // VP8L signature
  bits.write(width - 1, 14);
  bits.write(height - 1, 14);
  bits.write(1, 1); // alpha is used
  bits.write(0, 3); // version

  // Colour-indexing transform. Tables of 16 or fewer entries would pack several pixels into
  // one, so the table is padded to 17: a few bytes, and every image codes the same way.
  const size = Math.max(17, palette.length);
  const table = new Uint32Array(size);
  table.set(palette);
  bits.write(1, 1); // a transform follows
  bits.write(3, 2); // colour indexing
  bits.write(size - 1, 8);
  // The table is delta-coded: each entry minus the one before, per channel.
  const deltas = new Uint32Array(size);
  for (let i = 0; i < size; i++) {
    const a = table[i];
    const b = i ? table[i - 1] : 0;
    let d = 0;
    for (let shift = 0; shift < 32; shift += 8) d |= (((a >>> shift) - (b >>> shift)) & 0xff) << shift;
    deltas[i] = d >>> 0;
  }
  writeLiteralImage(bits, deltas);
  bits.write(0, 1); // no more transforms

  const tokens = tokenize(indices, width, width * height);
  const green = new Uint32Array(256 + LENGTH_CODES);
  const distance = new Uint32Array(DISTANCE_CODES);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t < COPY) {
      green[t]++;
    } else {
      green[256 + prefixOf((t & 0xffff) >>> 1)]++;
      // ABOVE - 1 = 0 and LEFT - 1 = 1 are their own prefixes, with no extra bits.
      distance[t & 1 ? ABOVE - 1 : LEFT - 1]++;
    }
  }

  bits.write(0, 1); // no colour cache
  bits.write(0, 1); // one set of prefix codes for the whole image
  const greenLengths = codeLengths(green, MAX_CODE_LENGTH);
  const distanceLengths = codeLengths(distance, MAX_CODE_LENGTH);
  writeCode(bits, greenLengths);
  // Red, blue and alpha of an indexed image are unused: one symbol (0) each, costing no bits.
  for (let c = 0; c < 3; c++) writeCode(bits, new Uint8Array(256));
  writeCode(bits, distanceLengths);
  writeTokens(bits, tokens, prefixCode(greenLengths), prefixCode(distanceLengths));
  const data = bits.finish();

  const padded = data.length + (data.length & 1);
  const out = new Uint8Array(20 + padded);
  const view = new DataView(out.buffer);
  out.set([0x52, 0x49, 0x46, 0x46], 0); // RIFF
  view.setUint32(4, 12 + padded, true);
  out.set([0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x4c], 8); // WEBPVP8L
  view.setUint32(16, data.length, true);
  out.set(data, 20);
  return out;
}
