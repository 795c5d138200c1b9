// The receive limits an endpoint signals in its own SDP, as KMS does with maxAudioRecvBandwidth
// and maxVideoRecvBandwidth: a `b=AS:<kbps>` line in each audio or video media section, which
// the remote sender honours as a cap on what it sends (RFC 8866 §5.8).

export interface RecvLimits {
  /** kbps; 0 means no limit of our own. */
  audio: number;
  video: number;
}

/** `sdp` with a b=AS line, in the place SDP's grammar puts it, in each limited media section. */
export function withRecvLimits(sdp: string, limits: RecvLimits): string {
  const out: string[] = [];
  let kbps = 0;
  for (const line of sdp.split('\r\n')) {
    if (line.startsWith('m=')) {
      const kind = line.slice(2, line.indexOf(' '));
      kbps = kind === 'audio' ? limits.audio : kind === 'video' ? limits.video : 0;
    } else if (kbps > 0 && line.startsWith('b=AS:')) {
      continue; // ours replaces it
    }
    out.push(line);
    // b= lines follow the section's c= line.
    if (kbps > 0 && line.startsWith('c=')) out.push(`b=AS:${kbps}`);
  }
  return out.join('\r\n');
}
