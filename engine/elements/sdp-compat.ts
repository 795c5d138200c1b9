// Offers from older and mobile WebRTC clients, answered as KMS answers them. werift only
// negotiates the modern shape (UDP/TLS/RTP/SAVPF, every section with an a=mid), so an offer
// is brought to that shape on the way in, and the answer back to the offer's on the way out:
// - RTP/SAVPF and RTP/SAVP, with or without UDP/TLS/, are what KMS's WebRtcEndpoint takes
//   (kmssdprtpsavpfmediahandler.c); the answer names the profile the offer named;
// - a section with no a=mid gets one for werift, and the answer carries none (nor a BUNDLE
//   group) when the offer had none;
// - a section with an insecure profile (RTP/AVP, RTP/AVPF) is one KMS's WebRtcEndpoint has
//   no handler for: it is answered rejected, with port 0 (kmssdpagent.c, RFC 3264 §6), and an
//   offer of nothing else gets an answer that rejects it all;
// - an application (data channel) section is answered rejected unless the endpoint was made
//   with useDataChannels, as KMS adds no SCTP handler then (kmsbasesdpendpoint.c).

const SECURE_PROFILE = /^(UDP\/TLS\/)?RTP\/SAVPF?$/;
const MODERN_PROFILE = 'UDP/TLS/RTP/SAVPF';

interface OfferedSection {
  kind: string;
  proto: string;
  formats: string;
  /** The offer's own a=mid, if it had one. */
  mid: string | undefined;
  /** Whether werift negotiates this section (else it is answered rejected). */
  accepted: boolean;
}

export interface OfferShape {
  sections: OfferedSection[];
  /** The mids werift saw, in the order of the accepted sections. */
  negotiatedMids: string[];
}

/** The offer as werift takes it, and what the answer must be turned back into. */
export function normaliseOffer(offer: string, { data }: { data: boolean }): { sdp: string; shape: OfferShape } {
  const eol = offer.includes('\r\n') ? '\r\n' : '\n';
  const [head = '', ...media] = offer.split(`${eol}m=`);
  const sections: OfferedSection[] = [];
  const kept: string[] = [];
  const negotiatedMids: string[] = [];
  for (const [index, body] of media.entries()) {
    const lines = `m=${body}`.split(eol).filter((l) => l !== '');
    const [kind = '', , proto = '', ...formats] = lines[0]!.slice(2).split(' ');
    const mid = lines.find((l) => l.startsWith('a=mid:'))?.slice('a=mid:'.length);
    const accepted = kind === 'application' ? data : SECURE_PROFILE.test(proto);
    sections.push({ kind, proto, formats: formats.join(' '), mid, accepted });
    if (!accepted) continue;
    const ownMid = mid ?? `legacy${index}`;
    negotiatedMids.push(ownMid);
    if (SECURE_PROFILE.test(proto)) lines[0] = lines[0]!.replace(` ${proto} `, ` ${MODERN_PROFILE} `);
    if (mid === undefined) lines.push(`a=mid:${ownMid}`);
    kept.push(lines.join('\r\n'));
  }
  // The BUNDLE group names the mids werift negotiates; one the offer lacked is added to it
  // only if the offer bundled at all.
  const headLines = head
    .split(eol)
    .filter((l) => l !== '')
    .map((l) => (l.startsWith('a=group:BUNDLE') ? `a=group:BUNDLE ${bundled(l, negotiatedMids)}` : l))
    .filter((l) => l !== 'a=group:BUNDLE ');
  return { sdp: [...headLines, ...kept].join('\r\n') + '\r\n', shape: { sections, negotiatedMids } };
}

function bundled(group: string, mids: string[]): string {
  const named = new Set(group.split(' ').slice(1));
  return mids.filter((m) => named.has(m)).join(' ');
}

/**
 * The answer to an offer with nothing a WebRtcEndpoint can take (plain RTP/AVP, say): every
 * section rejected with port 0, as KMS answers it, with no need for werift.
 */
export function rejectingAnswer(shape: OfferShape, sessionId: string): string {
  const head = ['v=0', `o=- ${sessionId} 0 IN IP4 0.0.0.0`, 's=Kurento Media Server', 'c=IN IP4 0.0.0.0', 't=0 0'];
  return answerInShape(head.join('\r\n'), shape);
}

/** werift's answer in the offer's shape: its profiles, its mids (or none), its rejected sections. */
export function answerInShape(answer: string, shape: OfferShape): string {
  const [head = '', ...media] = answer.split('\r\nm=');
  const byMid = new Map<string, string[]>();
  for (const body of media) {
    const lines = `m=${body}`.split('\r\n').filter((l) => l !== '');
    const mid = lines.find((l) => l.startsWith('a=mid:'))?.slice('a=mid:'.length);
    if (mid !== undefined) byMid.set(mid, lines);
  }
  const anyMid = shape.sections.some((s) => s.mid !== undefined);
  const out: string[] = head.split('\r\n').filter((l) => l !== '' && (anyMid || !l.startsWith('a=group:BUNDLE')));
  let next = 0;
  for (const section of shape.sections) {
    if (!section.accepted) {
      out.push(`m=${section.kind} 0 ${section.proto} ${section.formats}`, 'c=IN IP4 0.0.0.0', 'a=inactive');
      if (section.mid !== undefined) out.push(`a=mid:${section.mid}`);
      continue;
    }
    const lines = byMid.get(shape.negotiatedMids[next++]!) ?? [];
    for (const line of lines) {
      if (line.startsWith('a=mid:') && section.mid === undefined) continue;
      out.push(line.startsWith('m=') ? line.replace(` ${MODERN_PROFILE} `, ` ${section.proto} `) : line);
    }
  }
  return out.join('\r\n') + '\r\n';
}

/** Where a candidate of werift's section `mid` is in the offer: its mid there ('' if none) and index. */
export function offeredPosition(shape: OfferShape, mid: string | undefined): { sdpMid: string; sdpMLineIndex: number } {
  const negotiated = Math.max(0, shape.negotiatedMids.indexOf(mid ?? ''));
  const accepted = shape.sections.map((s, i) => ({ s, i })).filter(({ s }) => s.accepted);
  const { s, i } = accepted[negotiated] ?? accepted[0]!;
  return { sdpMid: s.mid ?? '', sdpMLineIndex: i };
}

/** werift's mid for a peer's candidate, named by the offer's mid or, lacking one, by its index. */
export function negotiatedMid(
  shape: OfferShape,
  sdpMid: string | undefined,
  sdpMLineIndex: number | undefined,
): string | undefined {
  if (sdpMid && shape.negotiatedMids.includes(sdpMid)) return sdpMid;
  const section = shape.sections[sdpMLineIndex ?? 0];
  if (!section?.accepted) return undefined;
  const position = shape.sections.slice(0, (sdpMLineIndex ?? 0) + 1).filter((s) => s.accepted).length - 1;
  return shape.negotiatedMids[position];
}
