// A minimal POSIX tar (ustar with pax extended headers) writer and reader for the billing archive.
// Our own ~150 lines instead of GNU tar or a package: GNU tar only archives a directory tree,
// while the archive is assembled from spooled CSV files, volume files and a manifest built in
// memory; and a writer this small, checked against GNU tar in the tests, adds no dependency to
// the agent's image. Only regular files are written; the reader accepts only what the writer
// writes (regular files and pax 'x' headers), so it can verify a stored export.
import { createHash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';

/** tar's block size. */
export const BLOCK = 512;
/** Largest size the 11 octal digits of a ustar header hold; bigger members carry a pax `size` record. */
const MAX_USTAR_SIZE = 0o77777777777;
/** Longest member name read back whole; a longer one in a stored archive means it is not ours. */
const MAX_NAME_BYTES = 4096;

/** One member's header fields. */
export interface TarEntry {
  /** Path inside the archive, `/`-separated, relative, without `..`. */
  name: string;
  size: number;
  /** Modification time, whole seconds are kept. */
  mtime: Date;
  /** Permission bits; 0o644 by default. */
  mode?: number;
}

/** Returns whether a member name is one the writer accepts: relative, no empty, `.` or `..` segment, no NUL. */
export function isSafeMemberName(name: string): boolean {
  if (name === '' || name.startsWith('/') || name.includes('\0')) return false;
  return name.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** Encodes one pax record: "<len> <key>=<value>\n", where len counts the whole record including itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyBytes = Buffer.byteLength(body);
  let len = bodyBytes + 1;
  while (String(len).length + bodyBytes !== len) len = String(len).length + bodyBytes;
  return `${len}${body}`;
}

/** Builds one 512-byte ustar header. */
function header(name: string, size: number, mtime: Date, mode: number, type: '0' | 'x'): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(Math.min(size, MAX_USTAR_SIZE), 12), 124, 'ascii');
  h.write(octal(Math.max(0, Math.floor(mtime.getTime() / 1000)), 12), 136, 'ascii');
  h.write(type, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  // The checksum is computed with its own field read as eight spaces.
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

/** Returns the header blocks of one member: a pax header first when the name or size does not fit ustar. */
export function entryHeader(e: TarEntry): Buffer {
  if (!isSafeMemberName(e.name)) throw new Error(`tar: member name ${JSON.stringify(e.name)} is not a safe relative path`);
  if (!Number.isSafeInteger(e.size) || e.size < 0) throw new Error(`tar: member ${e.name} has an invalid size ${e.size}`);
  const mode = e.mode ?? 0o644;
  const nameBytes = Buffer.byteLength(e.name);
  const ascii = /^[\x20-\x7e]*$/.test(e.name);
  const records = [
    ...(nameBytes > 100 || !ascii ? [paxRecord('path', e.name)] : []),
    ...(e.size > MAX_USTAR_SIZE ? [paxRecord('size', String(e.size))] : []),
  ];
  const main = header(ascii && nameBytes <= 100 ? e.name : e.name.replace(/[^\x20-\x7e]/g, '_').slice(0, 100), e.size, e.mtime, mode, '0');
  if (records.length === 0) return main;
  const pax = Buffer.from(records.join(''), 'utf8');
  return Buffer.concat([header('PaxHeaders/member', pax.length, e.mtime, 0o644, 'x'), pad(pax), main]);
}

/** Pads data to a whole number of blocks. */
function pad(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest, 0)]);
}

/** The zero padding after `size` bytes of member data. */
export function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest, 0);
}

/** The end of an archive: two zero blocks. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK, 0);

/** Writes a buffer to a stream, waiting for drain when needed. */
export async function writeChunk(out: Writable, chunk: Buffer): Promise<void> {
  if (chunk.length === 0) return;
  if (!out.write(chunk)) {
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => {
        out.off('drain', onDrain);
        reject(e);
      };
      const onDrain = () => {
        out.off('error', onError);
        resolve();
      };
      out.once('drain', onDrain);
      out.once('error', onError);
    });
  }
}

/** Writes one member held in memory. */
export async function writeBufferEntry(out: Writable, name: string, data: Buffer, mtime: Date): Promise<void> {
  await writeChunk(out, entryHeader({ name, size: data.length, mtime }));
  await writeChunk(out, data);
  await writeChunk(out, padding(data.length));
}

/**
 * Writes one member whose size is known in advance from a stream; fails if the stream yields more
 * or fewer bytes (a file that changed while it was read), since the header already promised the size.
 * Resolves with the member data's SHA-256.
 */
export async function writeStreamEntry(out: Writable, e: TarEntry, data: Readable): Promise<string> {
  await writeChunk(out, entryHeader(e));
  const hash = createHash('sha256');
  let n = 0;
  for await (const chunk of data) {
    const b = chunk as Buffer;
    n += b.length;
    if (n > e.size) {
      data.destroy();
      throw new Error(`tar: ${e.name} grew while it was read (more than the ${e.size} bytes it had)`);
    }
    hash.update(b);
    await writeChunk(out, b);
  }
  if (n !== e.size) throw new Error(`tar: ${e.name} shrank while it was read (${n} of ${e.size} bytes)`);
  await writeChunk(out, padding(e.size));
  return hash.digest('hex');
}

/** One member as read back. */
export interface ReadMember {
  name: string;
  size: number;
  sha256: string;
  /** The data, only for members `keep` asked for. */
  data?: Buffer;
}

/** Reads exactly-sized pieces from an async byte source. */
class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  constructor(private readonly it: AsyncIterator<Buffer>) {}

  /** Returns `n` bytes, or fewer only at the end of the source. */
  async read(n: number): Promise<Buffer> {
    while (this.buf.length < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : r.value;
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(out.length);
    return out;
  }
}

function parseOctal(h: Buffer, at: number, len: number, what: string): number {
  const text = h
    .subarray(at, at + len)
    .toString('ascii')
    .replace(/[\0 ]+$/, '')
    .trim();
  if (!/^[0-7]+$/.test(text)) throw new Error(`tar: bad ${what} field ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

function checkHeader(h: Buffer): void {
  const stored = parseOctal(h, 148, 8, 'checksum');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  if (sum !== stored) throw new Error('tar: header checksum mismatch (the archive is damaged or not a tar)');
  if (h.subarray(257, 263).toString('ascii') !== 'ustar\0') throw new Error('tar: not a POSIX ustar archive');
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const len = Number(data.subarray(at, space).toString('ascii'));
    if (space < 0 || !Number.isInteger(len) || len <= 0 || at + len > data.length) throw new Error('tar: malformed pax header');
    const record = data.subarray(space + 1, at + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    out[record.slice(0, eq)] = record.slice(eq + 1);
    at += len;
  }
  return out;
}

/**
 * Reads an archive written by this module, hashing every member; `keep` names members whose data
 * is returned too (at most `maxKeepBytes` each). Fails on anything else: other member types,
 * a damaged header, a cut-off archive.
 */
export async function readTar(
  source: AsyncIterable<Buffer>,
  keep: (name: string) => boolean,
  maxKeepBytes = 16 * 1024 * 1024,
): Promise<ReadMember[]> {
  const r = new ByteReader(source[Symbol.asyncIterator]());
  const members: ReadMember[] = [];
  let pax: Record<string, string> = {};
  for (;;) {
    const h = await r.read(BLOCK);
    if (h.length < BLOCK) throw new Error('tar: the archive is cut off (no end-of-archive blocks)');
    if (h.every((b) => b === 0)) return members;
    checkHeader(h);
    const type = String.fromCharCode(h[156]!);
    const size = pax['size'] !== undefined ? Number(pax['size']) : parseOctal(h, 124, 12, 'size');
    const rawName = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const name = pax['path'] ?? rawName;
    if (type === 'x') {
      if (size > MAX_NAME_BYTES * 2) throw new Error('tar: pax header too large');
      const data = await r.read(size);
      await r.read(padding(size).length);
      pax = parsePax(data);
      continue;
    }
    if (type !== '0' && type !== '\0') throw new Error(`tar: member ${name} has type ${JSON.stringify(type)}, not a regular file`);
    if (!isSafeMemberName(name)) throw new Error(`tar: member name ${JSON.stringify(name)} is not a safe relative path`);
    pax = {};
    const hash = createHash('sha256');
    const kept: Buffer[] = [];
    const wanted = keep(name);
    if (wanted && size > maxKeepBytes) throw new Error(`tar: member ${name} is larger than ${maxKeepBytes} bytes`);
    let left = size;
    while (left > 0) {
      const chunk = await r.read(Math.min(left, 1024 * 1024));
      if (chunk.length === 0) throw new Error(`tar: the archive is cut off inside ${name}`);
      hash.update(chunk);
      if (wanted) kept.push(Buffer.from(chunk));
      left -= chunk.length;
    }
    await r.read(padding(size).length);
    members.push({ name, size, sha256: hash.digest('hex'), ...(wanted ? { data: Buffer.concat(kept) } : {}) });
  }
}
