// EBML, the binary markup under Matroska and WebM: elements are an id, a variable-length
// size and a payload. Only writing is needed here, plus the fixed-width forms that let a
// writer patch a value (a duration, a size) in place after the fact.

export const ID = {
  EBML: 0x1a45dfa3,
  EBMLVersion: 0x4286,
  EBMLReadVersion: 0x42f7,
  EBMLMaxIDLength: 0x42f2,
  EBMLMaxSizeLength: 0x42f3,
  DocType: 0x4282,
  DocTypeVersion: 0x4287,
  DocTypeReadVersion: 0x4285,
  Segment: 0x18538067,
  SeekHead: 0x114d9b74,
  Seek: 0x4dbb,
  SeekID: 0x53ab,
  SeekPosition: 0x53ac,
  Void: 0xec,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  Duration: 0x4489,
  MuxingApp: 0x4d80,
  WritingApp: 0x5741,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  TrackUID: 0x73c5,
  TrackType: 0x83,
  CodecID: 0x86,
  CodecPrivate: 0x63a2,
  CodecDelay: 0x56aa,
  SeekPreRoll: 0x56bb,
  Video: 0xe0,
  PixelWidth: 0xb0,
  PixelHeight: 0xba,
  Audio: 0xe1,
  SamplingFrequency: 0xb5,
  Channels: 0x9f,
  Cluster: 0x1f43b675,
  Timecode: 0xe7,
  SimpleBlock: 0xa3,
  Cues: 0x1c53bb6b,
  CuePoint: 0xbb,
  CueTime: 0xb3,
  CueTrackPositions: 0xb7,
  CueTrack: 0xf7,
  CueClusterPosition: 0xf1,
} as const;

function idBytes(id: number): Buffer {
  const bytes: number[] = [];
  for (let v = id; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from(bytes);
}

/** A size as an EBML variable-length integer, in `width` bytes or the fewest that fit. */
export function vint(value: number, width?: number): Buffer {
  let n = width ?? 1;
  if (width === undefined) while (value >= 2 ** (7 * n) - 1) n++;
  const out = Buffer.alloc(n);
  let v = value;
  for (let i = n - 1; i >= 0; i--) {
    out[i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  out[0] = (out[0] ?? 0) | (0x80 >> (n - 1));
  return out;
}

/** The size field meaning "unknown": the element runs to the end of its parent. */
export const UNKNOWN_SIZE_8 = Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

export function element(id: number, payload: Buffer | Buffer[]): Buffer {
  const body = Array.isArray(payload) ? Buffer.concat(payload) : payload;
  return Buffer.concat([idBytes(id), vint(body.length), body]);
}

export function uint(id: number, value: number, width?: number): Buffer {
  let n = width ?? 1;
  if (width === undefined) while (n < 8 && value >= 2 ** (8 * n)) n++;
  const body = Buffer.alloc(n);
  let v = value;
  for (let i = n - 1; i >= 0; i--) {
    body[i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  return element(id, body);
}

export function float64(id: number, value: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeDoubleBE(value);
  return element(id, body);
}

export function string(id: number, value: string): Buffer {
  return element(id, Buffer.from(value, 'utf8'));
}

/** A Void element of exactly `total` bytes (at least 2), reserving room to overwrite later. */
export function voidOf(total: number): Buffer {
  // One id byte, then an 8-byte size keeps the arithmetic simple for any reservation.
  const size = Buffer.alloc(8);
  const payload = total - 1 - 8;
  const v = vint(payload, 8);
  v.copy(size);
  return Buffer.concat([Buffer.from([ID.Void]), size, Buffer.alloc(payload)]);
}

export const header = (id: number, size: Buffer): Buffer => Buffer.concat([idBytes(id), size]);
