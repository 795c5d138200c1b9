// Just enough of the VP8 RTP payload (RFC 7741) to tell keyframes and their size: the engine
// forwards without decoding, but stats report the resolution and a new sink waits for a
// keyframe.

export interface Vp8Keyframe {
  width: number;
  height: number;
}

/** Where the VP8 bitstream starts after the payload descriptor, and whether it starts a frame. */
export function vp8Descriptor(payload: Buffer): { offset: number; frameStart: boolean } | undefined {
  if (payload.length < 1) return undefined;
  const first = payload[0] ?? 0;
  const extended = (first & 0x80) !== 0;
  const startOfPartition = (first & 0x10) !== 0;
  const partitionId = first & 0x07;
  let offset = 1;
  if (extended) {
    const x = payload[offset++] ?? 0;
    if (x & 0x80) offset += (payload[offset] ?? 0) & 0x80 ? 2 : 1; // PictureID, 7 or 15 bits
    if (x & 0x40) offset += 1; // TL0PICIDX
    if (x & 0x30) offset += 1; // TID/Y/KEYIDX
  }
  if (offset > payload.length) return undefined;
  return { offset, frameStart: startOfPartition && partitionId === 0 };
}

/** The keyframe's dimensions if this payload starts a VP8 keyframe, else undefined. */
export function vp8Keyframe(payload: Buffer): Vp8Keyframe | undefined {
  const d = vp8Descriptor(payload);
  return d?.frameStart ? vp8KeyframeSize(payload, d.offset) : undefined;
}

/** The dimensions of a VP8 keyframe whose bitstream starts at `offset`, else undefined. */
export function vp8KeyframeSize(frame: Buffer, offset = 0): Vp8Keyframe | undefined {
  // Frame tag: bit 0 clear means keyframe; then the start code 9d 01 2a and the sizes.
  if (frame.length < offset + 10) return undefined;
  if (((frame[offset] ?? 1) & 0x01) !== 0) return undefined;
  if (frame[offset + 3] !== 0x9d || frame[offset + 4] !== 0x01 || frame[offset + 5] !== 0x2a) return undefined;
  return {
    width: frame.readUInt16LE(offset + 6) & 0x3fff,
    height: frame.readUInt16LE(offset + 8) & 0x3fff,
  };
}
