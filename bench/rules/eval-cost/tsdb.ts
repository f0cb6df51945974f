/**
 * A minimal writer of Prometheus TSDB blocks (index format v2, XOR chunks), for the rule-evaluation benchmark.
 *
 * Why not `promtool tsdb create-blocks-from openmetrics`: on this machine it ingests about 170,000 samples per
 * second (8.64 M samples in 50 s with `--max-block-duration=240h`) and needs the whole text file on disk (about
 * 165 bytes per sample). One 100-service fleet holds close to a billion samples for 30 days, which would be 80 minutes
 * and 160 GB of text. Writing the blocks directly costs a few nanoseconds of bit-packing per sample.
 *
 * Formats: prometheus/prometheus tsdb/docs/format/{index,chunks}.md and tsdb/chunkenc/xor.go (Prometheus 2.42).
 * Only what the benchmark needs: float samples at a regular step, no tombstones, one compaction level.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A label set, sorted by name, `__name__` first. */
export type Labels = ReadonlyArray<readonly [string, string]>;

/** Compares label sets the way Prometheus's `labels.Compare` does (pairwise, names then values, then length). */
export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i][0] !== b[i][0]) return a[i][0] < b[i][0] ? -1 : 1;
    if (a[i][1] !== b[i][1]) return a[i][1] < b[i][1] ? -1 : 1;
  }
  return a.length - b.length;
}

// ---------------------------------------------------------------------------------------------------------
// CRC32 (Castagnoli), which every section and chunk carries.

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------------------------------------------------
// A growable byte buffer with the encodings the formats use (numbers up to 2^53).

class Bytes {
  buf = Buffer.alloc(1 << 16);
  len = 0;
  private grow(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  byte(b: number): void {
    this.grow(1);
    this.buf[this.len++] = b;
  }
  be32(v: number): void {
    this.grow(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
  }
  be64(v: number): void {
    this.grow(8);
    this.buf.writeUInt32BE(Math.floor(v / 4294967296), this.len);
    this.buf.writeUInt32BE(v % 4294967296, this.len + 4);
    this.len += 8;
  }
  uvarint(v: number): void {
    this.grow(10);
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.len++] = v;
  }
  varint(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1); // zigzag, as Go's binary.PutVarint
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.uvarint(b.length);
    this.raw(b);
  }
  raw(b: Uint8Array): void {
    this.grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  pad(align: number): void {
    while (this.len % align !== 0) this.byte(0);
  }
  crcSince(start: number): void {
    this.be32(crc32c(this.buf, start, this.len));
  }
}

// ---------------------------------------------------------------------------------------------------------
// XOR chunk encoder (Gorilla): tsdb/chunkenc/xor.go.

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer); // little-endian host: u32[0] low word, u32[1] high word

function clz64(hi: number, lo: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}
function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}
function ctz64(hi: number, lo: number): number {
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
}

/** Encodes one chunk of samples (at most 120, as Prometheus cuts them) into `out`, the chunk's data bytes. */
class XorEncoder {
  private out = new Uint8Array(4096);
  private pos = 0; // byte
  private bit = 0; // bits used in out[pos]

  private writeBits(v: number, n: number): void {
    // v holds at most 32 significant bits, n <= 32
    while (n > 0) {
      const free = 8 - this.bit;
      const take = free < n ? free : n;
      const shift = n - take;
      const bits = (v >>> shift) & ((1 << take) - 1);
      this.out[this.pos] |= bits << (free - take);
      this.bit += take;
      if (this.bit === 8) {
        this.pos++;
        this.bit = 0;
      }
      n -= take;
    }
  }
  private write64(hi: number, lo: number, n: number): void {
    if (n > 32) {
      this.writeBits(hi, n - 32);
      this.writeBits(lo, 32);
    } else this.writeBits(lo, n);
  }
  private uvarint(v: number): void {
    while (v >= 0x80) {
      this.writeBits((v % 128) | 0x80, 8);
      v = Math.floor(v / 128);
    }
    this.writeBits(v, 8);
  }

  /** Encodes samples `[from, to)` of `ts`/`vs`; returns the data bytes (a view valid until the next call). */
  encode(ts: Float64Array, vs: Float64Array, from: number, to: number): Uint8Array {
    this.out.fill(0);
    this.pos = 2;
    this.bit = 0;
    const n = to - from;
    this.out[0] = n >>> 8;
    this.out[1] = n & 0xff;
    let leading = 0xff;
    let trailing = 0;
    let prevHi = 0;
    let prevLo = 0;
    let prevT = 0;
    let prevDelta = 0;
    for (let i = from; i < to; i++) {
      const t = ts[i];
      f64[0] = vs[i];
      const hi = u32[1];
      const lo = u32[0];
      const k = i - from;
      if (k === 0) {
        const z = t >= 0 ? t * 2 : -t * 2 - 1;
        this.uvarint(z);
        this.writeBits(hi, 32);
        this.writeBits(lo, 32);
      } else {
        const delta = t - prevT;
        if (k === 1) this.uvarint(delta);
        else {
          const dod = delta - prevDelta;
          if (dod === 0) this.writeBits(0, 1);
          else if (dod >= -8191 && dod <= 8192) {
            this.writeBits(0b10, 2);
            this.writeBits(dod & 0x3fff, 14);
          } else if (dod >= -65535 && dod <= 65536) {
            this.writeBits(0b110, 3);
            this.writeBits(dod & 0x1ffff, 17);
          } else if (dod >= -524287 && dod <= 524288) {
            this.writeBits(0b1110, 4);
            this.writeBits(dod & 0xfffff, 20);
          } else throw new Error(`timestamp delta-of-delta ${dod} out of range for this writer`);
        }
        prevDelta = delta;
        // Value: XOR with the previous one.
        const xh = (hi ^ prevHi) >>> 0;
        const xl = (lo ^ prevLo) >>> 0;
        if (xh === 0 && xl === 0) this.writeBits(0, 1);
        else {
          this.writeBits(1, 1);
          let lead = clz64(xh, xl);
          const trail = ctz64(xh, xl);
          if (lead >= 32) lead = 31;
          let sh: number;
          let sl: number;
          let sig: number;
          if (leading !== 0xff && lead >= leading && trail >= trailing) {
            this.writeBits(0, 1);
            sig = 64 - leading - trailing;
            [sh, sl] = shr64(xh, xl, trailing);
          } else {
            leading = lead;
            trailing = trail;
            this.writeBits(1, 1);
            this.writeBits(lead, 5);
            sig = 64 - lead - trail;
            this.writeBits(sig & 63, 6); // 64 significant bits are written as 0
            [sh, sl] = shr64(xh, xl, trail);
          }
          this.write64(sh, sl, sig);
        }
      }
      prevT = t;
      prevHi = hi;
      prevLo = lo;
    }
    const size = this.pos + (this.bit > 0 ? 1 : 0);
    return this.out.subarray(0, size);
  }
}

function shr64(hi: number, lo: number, s: number): [number, number] {
  if (s === 0) return [hi, lo];
  if (s >= 32) return [0, hi >>> (s - 32)];
  return [hi >>> s, ((lo >>> s) | (hi << (32 - s))) >>> 0];
}

// ---------------------------------------------------------------------------------------------------------
// ULIDs name the block directories.

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function ulid(timeMs: number): string {
  let s = '';
  let t = timeMs;
  for (let i = 0; i < 10; i++) {
    s = CROCKFORD[t % 32] + s;
    t = Math.floor(t / 32);
  }
  const r = randomBytes(16);
  for (let i = 0; i < 16; i++) s += CROCKFORD[r[i] % 32];
  return s;
}

// ---------------------------------------------------------------------------------------------------------

/** One series as the block writer sees it: its labels and a function that fills its samples in a time range. */
export interface SeriesSource {
  readonly labels: Labels;
  /** Sample spacing in ms (every timestamp is a multiple of it). */
  readonly stepMs: number;
  /** First timestamp (inclusive) the series has samples at. */
  readonly fromMs: number;
  /** The value at a timestamp (a multiple of stepMs). */
  value(tMs: number): number;
}

/** What one written block holds. */
export interface BlockStats {
  readonly dir: string;
  readonly minTime: number;
  readonly maxTime: number;
  readonly series: number;
  readonly samples: number;
  readonly chunks: number;
  readonly bytes: number;
}

const SAMPLES_PER_CHUNK = 120;
const SEGMENT_MAX = 512 * 1024 * 1024;

/**
 * Writes one block holding the samples of `series` in `[minTime, maxTime)` into `dbDir/<ulid>`. `series` must be
 * sorted with {@link compareLabels}; series without samples in the range are left out.
 */
export function writeBlock(dbDir: string, series: readonly SeriesSource[], minTime: number, maxTime: number): BlockStats {
  const id = ulid(Date.now());
  const tmp = path.join(dbDir, `${id}.tmp-for-creation`);
  fs.mkdirSync(path.join(tmp, 'chunks'), { recursive: true });

  // Chunks: segment files 000001, 000002, … of at most 512 MiB; a reference is (segment index << 32) | offset.
  let segment = -1;
  let fd = -1;
  let segOffset = 0;
  const chunkBuf = new Bytes();
  const flush = () => {
    if (chunkBuf.len > 0) fs.writeSync(fd, chunkBuf.buf, 0, chunkBuf.len);
    chunkBuf.len = 0;
  };
  const openSegment = () => {
    if (fd >= 0) {
      flush();
      fs.closeSync(fd);
    }
    segment++;
    fd = fs.openSync(path.join(tmp, 'chunks', String(segment + 1).padStart(6, '0')), 'w');
    const head = Buffer.alloc(8);
    head.writeUInt32BE(0x85bd40dd, 0);
    head[4] = 1;
    fs.writeSync(fd, head);
    segOffset = 8;
  };
  openSegment();

  interface Meta {
    readonly labels: Labels;
    readonly chunks: number[]; // mint, maxt, ref triples
  }
  const metas: Meta[] = [];
  const enc = new XorEncoder();
  let ts = new Float64Array(1024);
  let vs = new Float64Array(1024);
  let samples = 0;
  let chunks = 0;

  for (const s of series) {
    const first = Math.max(minTime, Math.ceil(s.fromMs / s.stepMs) * s.stepMs, Math.ceil(minTime / s.stepMs) * s.stepMs);
    if (first >= maxTime) continue;
    const n = Math.ceil((maxTime - first) / s.stepMs);
    if (n > ts.length) {
      ts = new Float64Array(n);
      vs = new Float64Array(n);
    }
    for (let i = 0; i < n; i++) {
      const t = first + i * s.stepMs;
      ts[i] = t;
      vs[i] = s.value(t);
    }
    const refs: number[] = [];
    for (let from = 0; from < n; from += SAMPLES_PER_CHUNK) {
      const to = Math.min(n, from + SAMPLES_PER_CHUNK);
      const data = enc.encode(ts, vs, from, to);
      const lenBytes = new Bytes();
      lenBytes.uvarint(data.length);
      const size = lenBytes.len + 1 + data.length + 4;
      if (segOffset + size > SEGMENT_MAX) openSegment();
      const ref = segment * 4294967296 + segOffset;
      const start = chunkBuf.len;
      chunkBuf.raw(lenBytes.buf.subarray(0, lenBytes.len));
      const crcStart = chunkBuf.len;
      chunkBuf.byte(1); // encoding: XOR
      chunkBuf.raw(data);
      chunkBuf.crcSince(crcStart);
      segOffset += chunkBuf.len - start;
      if (chunkBuf.len > 8 << 20) flush();
      refs.push(ts[from], ts[to - 1], ref);
      chunks++;
    }
    samples += n;
    metas.push({ labels: s.labels, chunks: refs });
  }
  flush();
  fs.closeSync(fd);

  const indexBytes = writeIndex(path.join(tmp, 'index'), metas);
  const meta = {
    ulid: id,
    minTime,
    maxTime,
    stats: { numSamples: samples, numSeries: metas.length, numChunks: chunks },
    compaction: { level: 1, sources: [id] },
    version: 1,
  };
  fs.writeFileSync(path.join(tmp, 'meta.json'), JSON.stringify(meta, null, '\t'));
  const dir = path.join(dbDir, id);
  fs.renameSync(tmp, dir);
  let bytes = indexBytes;
  for (const f of fs.readdirSync(path.join(dir, 'chunks'))) bytes += fs.statSync(path.join(dir, 'chunks', f)).size;
  return { dir, minTime, maxTime, series: metas.length, samples, chunks, bytes };
}

/** Writes an index (format v2) for series already sorted by labels; returns its size in bytes. */
function writeIndex(file: string, series: ReadonlyArray<{ labels: Labels; chunks: number[] }>): number {
  const out = new Bytes();
  out.be32(0xbaaad700);
  out.byte(2);

  // Symbol table: every label name and value, sorted; referenced by position.
  const symbolSet = new Set<string>();
  for (const s of series) for (const [n, v] of s.labels) symbolSet.add(n).add(v);
  const symbols = [...symbolSet].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const symbolRef = new Map<string, number>();
  symbols.forEach((s, i) => symbolRef.set(s, i));
  const symbolsAt = out.len;
  out.be32(0); // len, patched below
  const symStart = out.len;
  out.be32(symbols.length);
  for (const s of symbols) out.str(s);
  out.buf.writeUInt32BE(out.len - symStart, symbolsAt);
  out.crcSince(symStart);

  // Series, each aligned to 16 bytes: its reference is offset / 16.
  out.pad(16);
  const seriesAt = out.len;
  const postings = new Map<string, number[]>();
  const all: number[] = [];
  const entry = new Bytes();
  for (const s of series) {
    out.pad(16);
    const ref = out.len / 16;
    all.push(ref);
    for (const [n, v] of s.labels) {
      const key = `${n}\u0000${v}`;
      let list = postings.get(key);
      if (!list) postings.set(key, (list = []));
      list.push(ref);
    }
    entry.len = 0;
    entry.uvarint(s.labels.length);
    for (const [n, v] of s.labels) {
      entry.uvarint(symbolRef.get(n)!);
      entry.uvarint(symbolRef.get(v)!);
    }
    const c = s.chunks;
    entry.uvarint(c.length / 3);
    for (let i = 0; i < c.length; i += 3) {
      if (i === 0) {
        entry.varint(c[0]);
        entry.uvarint(c[1] - c[0]);
        entry.uvarint(c[2]);
      } else {
        entry.uvarint(c[i] - c[i - 2]);
        entry.uvarint(c[i + 1] - c[i]);
        entry.varint(c[i + 2] - c[i - 1]);
      }
    }
    out.uvarint(entry.len);
    const start = out.len;
    out.raw(entry.buf.subarray(0, entry.len));
    out.crcSince(start);
  }

  // No label indices (unused by index v2 readers): an empty label offset table marks the section.
  out.pad(4);
  const postingsAt = out.len;
  const keys = [...postings.keys()].sort((a, b) => {
    const [an, av] = a.split('\u0000');
    const [bn, bv] = b.split('\u0000');
    if (an !== bn) return an < bn ? -1 : 1;
    return av < bv ? -1 : av > bv ? 1 : 0;
  });
  const offsets: Array<[string, string, number]> = [];
  const writeList = (name: string, value: string, refs: number[]) => {
    out.pad(4);
    offsets.push([name, value, out.len]);
    out.be32(4 + 4 * refs.length);
    const start = out.len;
    out.be32(refs.length);
    for (const r of refs) out.be32(r);
    out.crcSince(start);
  };
  writeList('', '', all); // the all-postings list, key ("", "")
  for (const k of keys) {
    const [n, v] = k.split('\u0000');
    writeList(n, v, postings.get(k)!);
  }

  const labelTableAt = out.len;
  out.be32(4);
  const lStart = out.len;
  out.be32(0);
  out.crcSince(lStart);

  const postingsTableAt = out.len;
  out.be32(0);
  const pStart = out.len;
  out.be32(offsets.length);
  for (const [n, v, off] of offsets) {
    out.uvarint(2);
    out.str(n);
    out.str(v);
    out.uvarint(off);
  }
  out.buf.writeUInt32BE(out.len - pStart, postingsTableAt);
  out.crcSince(pStart);

  const tocStart = out.len;
  out.be64(symbolsAt);
  out.be64(seriesAt);
  out.be64(labelTableAt);
  out.be64(labelTableAt);
  out.be64(postingsAt);
  out.be64(postingsTableAt);
  out.crcSince(tocStart);
  fs.writeFileSync(file, out.buf.subarray(0, out.len));
  return out.len;
}
