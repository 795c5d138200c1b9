// The page's ICE configuration, from the server (/api/ice-servers): its STUN server, a TURN
// credential of this page's own that expires, and whether to relay only. Asked afresh for
// every connection, so a page left open for days never offers a stale credential.

export async function fetchIceConfig(): Promise<RTCConfiguration> {
  const response = await fetch('/api/ice-servers', { cache: 'no-store', credentials: 'same-origin' });
  if (!response.ok) throw new Error(`The server did not give its ICE servers (HTTP ${response.status})`);
  const body = (await response.json()) as { iceServers?: unknown; iceTransportPolicy?: unknown };
  // The shape the server sends (server/ice/ice-servers.ts); anything else is not used.
  const servers = Array.isArray(body.iceServers) ? body.iceServers : [];
  const iceServers = servers.filter(
    (s): s is RTCIceServer =>
      typeof s === 'object' && s !== null && Array.isArray((s as RTCIceServer).urls) && (s as RTCIceServer).urls.length > 0,
  );
  return { iceServers, iceTransportPolicy: body.iceTransportPolicy === 'relay' ? 'relay' : 'all' };
}

/** An ICE candidate error from a TURN server, in words. */
export function turnErrorText(errorCode: number, errorText: string): string {
  if (errorCode === 401) return 'the TURN server refused its credentials (expired, or signed with another secret)';
  if (errorCode === 701) return 'the TURN server could not be reached';
  return `the TURN server answered ${errorCode} ${errorText}`.trim();
}
