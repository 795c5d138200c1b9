// Two pages that the time-to-media benchmarks measure beside the demo, in the same browser
// and the same run, so that a figure says whose time it is:
// - the floor: the browser alone, camera to its own second peer connection in the same page,
//   no server at all. No media server can show a frame sooner than this on this machine;
// - a minimal hello-world client: the demo's signaling (/helloworld) and the same server,
//   with no page around it (no local preview, no components, no stats). Its time less the
//   floor is what the server and the media server add.
// Each has a Start button (#start), shows what comes back in video#remote, and ends with
// window.stopAll(). They are plain ES2020 (not compiled), written into a page of the
// server's own origin, so the demo's Origin check and getUserMedia's secure context hold,
// and keep the timeline of scripts/lib/webrtc-timeline.ts.

import type { Page } from 'playwright-core';

/** The browser alone: camera → peer connection → peer connection → video, in one page. */
const FLOOR = `<!doctype html><video id=remote autoplay muted playsinline></video><button id=start>Start</button><script>
document.getElementById('start').onclick = async () => {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  b.ontrack = (e) => { if (e.track.kind === 'video') document.getElementById('remote').srcObject = new MediaStream([e.track]); };
  for (const track of stream.getTracks()) a.addTrack(track, stream);
  const offer = await a.createOffer();
  await a.setLocalDescription(offer);
  await b.setRemoteDescription(offer);
  const answer = await b.createAnswer();
  await b.setLocalDescription(answer);
  await a.setRemoteDescription(answer);
  window.stopAll = () => { a.close(); b.close(); stream.getTracks().forEach((t) => t.stop()); };
};
</script>`;

/** The hello-world tutorial's client, nothing more: the messages of demos/hello-world/messages.ts. */
const MINIMAL_HELLO_WORLD = `<!doctype html><video id=remote autoplay muted playsinline></video><button id=start>Start</button><script>
document.getElementById('start').onclick = async () => {
  const ws = new WebSocket('ws://' + location.host + '/helloworld');
  const opened = new Promise((ok) => { ws.onopen = ok; });
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
  const pc = new RTCPeerConnection();
  const early = [];
  let answered = false;
  pc.onicecandidate = (e) => e.candidate && ws.send(JSON.stringify({ id: 'onIceCandidate', candidate: e.candidate.toJSON() }));
  pc.ontrack = (e) => { if (e.track.kind === 'video') document.getElementById('remote').srcObject = new MediaStream([e.track]); };
  ws.onmessage = async (event) => {
    const message = JSON.parse(event.data);
    if (message.id === 'startResponse') {
      await pc.setRemoteDescription({ type: 'answer', sdp: message.sdpAnswer });
      answered = true;
      for (const c of early.splice(0)) await pc.addIceCandidate(c);
    } else if (message.id === 'iceCandidate') {
      if (answered) await pc.addIceCandidate(message.candidate);
      else early.push(message.candidate);
    } else if (message.id === 'error') console.error('server error: ' + message.message);
  };
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  await opened;
  ws.send(JSON.stringify({ id: 'start', sdpOffer: offer.sdp }));
  window.stopAll = () => { ws.send(JSON.stringify({ id: 'stop' })); ws.close(); pc.close(); stream.getTracks().forEach((t) => t.stop()); };
};
</script>`;

export const REFERENCE_PAGES = { floor: FLOOR, minimal: MINIMAL_HELLO_WORLD } as const;
export type ReferencePage = keyof typeof REFERENCE_PAGES;

/**
 * Opens a reference page as a document of `origin` (the server's): a small same-origin
 * resource first, then the page written over it.
 */
export async function openReferencePage(page: Page, origin: string, which: ReferencePage): Promise<void> {
  await page.goto(`${origin}/api/ice-servers`);
  await page.setContent(REFERENCE_PAGES[which]);
  // Writing the page dropped the window's listeners, the timeline's click mark with them.
  await page.evaluate(`window.addEventListener('click', () => {
    const t = window.__timeline;
    if (t && !('click' in t)) t.click = performance.timeOrigin + performance.now();
  }, { capture: true })`);
}

/** In the page: the reference page's remote video has a decoded frame to show. */
export const REFERENCE_REMOTE_SHOWN = `document.getElementById('remote').videoWidth > 0`;
