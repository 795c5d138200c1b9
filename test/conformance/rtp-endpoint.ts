// RtpEndpoint, driven through the unmodified kurento-client (part of the conformance suite,
// for a media server on this host's network: gst-launch and the server exchange RTP on
// 127.0.0.1):
// a gst-launch RTP sender's picture (plain, then SRTP with SDES keys) is decoded by a browser
// through the engine, and a browser's camera reaches a gst-launch RTP receiver, whose frames
// the test reads; with KMS's negotiation rules and errors.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../helpers/app';
import type { BrowserPeer } from '../helpers/browser-peer';
import { BrowserRoom, CAMERA_AREA, withRoom } from '../helpers/browser-room';
import { captureFrame, colourOf, meanColour, type Colour } from '../helpers/frames';
import { call, complexType, negotiateBrowserOffer } from '../helpers/kurento';
import type { MediaServerTarget } from './scenarios';

const RED_SOURCE =
  'videotestsrc is-live=true pattern=solid-color foreground-color=0xffd02020 ! video/x-raw,width=320,height=240,framerate=15/1 ! ' +
  'vp8enc deadline=1 keyframe-max-dist=15 ! rtpvp8pay pt=96 ssrc=4242';

function gst(pipeline: string): ChildProcess {
  const child = spawn('gst-launch-1.0', ['-q', ...pipeline.split(' ')], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(`gst-launch: ${d.toString()}`));
  return child;
}

/** A UDP port of the test's own, held so nothing else takes it (it also absorbs RTCP). */
async function ownPort(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return socket;
}

/** Whether another process holds `port` (gst-launch has bound it). */
async function portTaken(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', () => resolve());
    });
    return false;
  } catch {
    return true;
  } finally {
    socket.close();
  }
}

function mediaPort(sdp: string, kind: string): number {
  const match = new RegExp(`^m=${kind} (\\d+) `, 'm').exec(sdp);
  if (!match) throw new Error(`no ${kind} section in ${sdp}`);
  return Number(match[1]);
}

const offerFrom = (port: number, proto: string, direction: string, extra: string[] = []): string =>
  [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=gst-launch',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=video ${port} ${proto} 96`,
    'a=rtpmap:96 VP8/90000',
    ...extra,
    `a=${direction}`,
    '',
  ].join('\r\n');

export function rtpEndpointSuite(target: () => MediaServerTarget): void {
  const room = withRoom(() =>
    BrowserRoom.open(target().url, [{ name: 'green-320x240-15', lavfi: 'color=c=0x20B040:s=320x240:r=15', seconds: 3 }]),
  );
  let dir: string;
  const children: ChildProcess[] = [];
  const sockets: Socket[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rtp-endpoint-'));
  });

  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const socket of sockets.splice(0)) socket.close();
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const shows = async (peer: BrowserPeer): Promise<Colour> => colourOf(meanColour(await captureFrame(peer.page), CAMERA_AREA));

  test("a gst-launch RTP sender's picture is decoded by a browser through the media server", async () => {
    const rtp = await call<any>(room().pipeline, 'create', 'RtpEndpoint');
    const states: string[] = [];
    rtp.on('MediaStateChanged', (e: any) => states.push(e.newState));
    const peer = await room().viewer(rtp);
    const own = await ownPort();
    sockets.push(own);
    const answer = await call<string>(rtp, 'processOffer', offerFrom(own.address().port, 'RTP/AVP', 'sendonly'));
    // KMS's answer: our address and port, the offered VP8 kept, receive-only.
    expect(answer).toMatch(/^c=IN IP4 127\.0\.0\.1$/m);
    expect(answer).toMatch(/^a=rtpmap:96 VP8\/90000$/m);
    expect(answer).toMatch(/^a=recvonly$/m);
    children.push(gst(`${RED_SOURCE} ! udpsink host=127.0.0.1 port=${mediaPort(answer, 'video')}`));

    await eventually(
      () => shows(peer),
      (c) => c === 'red',
      20_000,
      'the red test pattern in the browser',
    );
    expect(states).toContain('CONNECTED');
    const stats = await call<Record<string, any>>(rtp, 'getStats', 'VIDEO');
    const inbound = Object.values(stats).find((s) => s.type === 'inboundrtp');
    expect(inbound.packetsReceived).toBeGreaterThan(0);
  });

  test('SDES-SRTP: an encrypted sender is decoded with the key its offer gives', async () => {
    const ours = randomBytes(30);
    const theirs = randomBytes(30);
    const rtp = await call<any>(room().pipeline, 'create', 'RtpEndpoint', {
      crypto: complexType('SDES', { crypto: 'AES_128_CM_HMAC_SHA1_80', keyBase64: ours.toString('base64') }),
    });
    const peer = await room().viewer(rtp);
    const own = await ownPort();
    sockets.push(own);
    const offer = offerFrom(own.address().port, 'RTP/SAVP', 'sendonly', [
      `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${theirs.toString('base64')}`,
    ]);
    const answer = await call<string>(rtp, 'processOffer', offer);
    // The answer carries our own key, for what we would send.
    expect(answer).toContain(`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${ours.toString('base64')}`);
    children.push(
      gst(
        `${RED_SOURCE} ! srtpenc key=${theirs.toString('hex')} rtp-cipher=aes-128-icm rtp-auth=hmac-sha1-80 ` +
          `rtcp-cipher=aes-128-icm rtcp-auth=hmac-sha1-80 ! udpsink host=127.0.0.1 port=${mediaPort(answer, 'video')}`,
      ),
    );
    await eventually(
      () => shows(peer),
      (c) => c === 'red',
      20_000,
      'the decrypted pattern in the browser',
    );

    // A plain RTP endpoint offered SRTP refuses the section, as KMS's does.
    const plain = await call<any>(room().pipeline, 'create', 'RtpEndpoint');
    expect(await call<string>(plain, 'processOffer', offer)).toMatch(/^m=video 0 RTP\/SAVP 96$/m);
  });

  test.each([
    ['plain RTP', false],
    ['SRTP', true],
  ])("a browser's camera reaches a gst-launch receiver of %s, which decodes its frames", async (_name, srtp) => {
    const ours = randomBytes(30);
    const rtp = await call<any>(
      room().pipeline,
      'create',
      'RtpEndpoint',
      srtp ? { crypto: complexType('SDES', { crypto: 'AES_128_CM_HMAC_SHA1_80', keyBase64: ours.toString('base64') }) } : {},
    );
    const web = await call<any>(room().pipeline, 'create', 'WebRtcEndpoint');
    await call(web, 'connect', rtp);
    const peer = await room().peer({ send: true, video: { width: 320, height: 240 } });
    await negotiateBrowserOffer(peer, web);

    const offer = await call<string>(rtp, 'generateOffer');
    const profile = srtp ? 'RTP/SAVPF' : 'RTP/AVPF';
    expect(offer).toContain(`m=audio ${mediaPort(offer, 'audio')} ${profile} 111`);
    expect(offer).toContain(`m=video ${mediaPort(offer, 'video')} ${profile} 96 103`);
    const ssrc = /^m=video[^]*?a=ssrc:(\d+) /m.exec(offer)![1];
    // SRTP: the receiver decrypts with the key our offer announced, for our SSRC.
    const caps = srtp
      ? `application/x-srtp,media=video,encoding-name=VP8,clock-rate=90000,payload=96,ssrc=(uint)${ssrc},` +
        `srtp-key=(buffer)${ours.toString('hex')},srtp-cipher=aes-128-icm,srtp-auth=hmac-sha1-80,` +
        'srtcp-cipher=aes-128-icm,srtcp-auth=hmac-sha1-80,roc=(uint)0 ! srtpdec ! application/x-rtp,payload=96'
      : 'application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000,payload=96';
    // This run's own folder: frames of another run must not count.
    const frames = mkdtempSync(join(dir, 'frames-'));
    // The receiver's ports: taken from the OS, let go, and bound again by gst-launch.
    const probe = await ownPort();
    const port = probe.address().port;
    probe.close();
    const decode =
      'vp8dec ! videoconvert ! videoscale ! video/x-raw,format=RGB,width=16,height=12 ! ' +
      `multifilesink location=${join(frames, 'frame-%05d.rgb')} max-files=10`;
    if (srtp) {
      children.push(gst(`udpsrc port=${port} caps=${caps} ! rtpjitterbuffer ! rtpvp8depay ! ${decode}`));
      // Its first keyframe must find it listening: wait until the port is taken.
      await eventually(() => portTaken(port), Boolean, 10_000, 'gst-launch to listen');
    }
    const answer = [
      'v=0',
      'o=- 2 2 IN IP4 127.0.0.1',
      's=gst-launch',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=audio 0 ${profile} 111`,
      `m=video ${port} ${profile} 96`,
      'a=rtpmap:96 VP8/90000',
      ...(srtp ? [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${randomBytes(30).toString('base64')}`] : []),
      'a=recvonly',
      '',
    ].join('\r\n');
    await call(rtp, 'processAnswer', answer);
    if (!srtp) {
      // A receiver that joins late, when the stream's first keyframe is long gone: its
      // depayloader asks for one (RTCP PLI, sent by rtpbin to the RTCP port our offer
      // names), which the engine passes on to the browser.
      await new Promise((r) => setTimeout(r, 3000));
      const rtcpPort = /^m=video[^]*?a=rtcp:(\d+)/m.exec(offer)![1];
      children.push(
        gst(
          `rtpbin name=b udpsrc port=${port} caps=${caps},rtcp-fb-nack-pli=(boolean)true ! b.recv_rtp_sink_0 ` +
            `b. ! rtpvp8depay request-keyframe=true wait-for-keyframe=true ! ${decode} ` +
            `b.send_rtcp_src_0 ! udpsink host=127.0.0.1 port=${rtcpPort} sync=false async=false`,
        ),
      );
    }

    // The newest whole frame the receiver wrote, as its mean colour.
    const latest = (): string => {
      const written = readdirSync(frames)
        .filter((f) => statSync(join(frames, f)).size === 16 * 12 * 3)
        .sort();
      const last = written[written.length - 2]; // the last one may still be being written
      if (!last) return 'none';
      const rgb = readFileSync(join(frames, last));
      const mean = [0, 1, 2].map((c) => rgb.filter((_v, i) => i % 3 === c).reduce((a, v) => a + v, 0) / (16 * 12));
      return mean[1]! > 130 && mean[0]! < 90 && mean[2]! < 120 ? 'green' : `other ${mean.map(Math.round).join(',')}`;
    };
    await eventually(latest, (c) => c === 'green', 20_000, "the camera's green in the receiver's frames");
  });

  test("KMS's negotiation rules and refusals", async () => {
    // kurento-client's own test offer: H.264 among codecs the engine does not forward.
    const rtp = await call<any>(room().pipeline, 'create', 'RtpEndpoint');
    const qunitOffer =
      'v=0\r\no=- 12345 12345 IN IP4 95.125.31.136\r\ns=-\r\nc=IN IP4 95.125.31.136\r\nt=0 0\r\n' +
      'm=video 52126 RTP/AVP 96 97 98\r\na=rtpmap:96 H264/90000\r\na=rtpmap:97 MP4V-ES/90000\r\n' +
      'a=rtpmap:98 H263-1998/90000\r\na=recvonly\r\nb=AS:384\r\n';
    const answer = await call<string>(rtp, 'processOffer', qunitOffer);
    expect(answer).toMatch(/^m=video \d+ RTP\/AVP 96$/m);
    expect(answer).toMatch(/^a=sendonly$/m);
    expect(await call<string>(rtp, 'getRemoteSessionDescriptor')).toBe(qunitOffer);
    await expect(call(rtp, 'processOffer', qunitOffer)).rejects.toThrow(/already negotiated/);

    const other = await call<any>(room().pipeline, 'create', 'RtpEndpoint');
    await expect(call(other, 'processOffer', 'not an sdp')).rejects.toThrow(/could not be parsed/);
    await expect(call(other, 'processAnswer', qunitOffer)).rejects.toThrow(/generateOffer/);

    const sdes = (crypto: Record<string, unknown>): Promise<unknown> =>
      call(room().pipeline, 'create', 'RtpEndpoint', { crypto: complexType('SDES', crypto) });
    await expect(sdes({ crypto: 'AES_128_CM_HMAC_SHA1_80', key: 'too short' })).rejects.toThrow(/Master key size is wrong/);

    // useIpv6: an IPv6 address, bound and announced.
    const v6 = await call<any>(room().pipeline, 'create', 'RtpEndpoint', { useIpv6: true });
    expect(await call<string>(v6, 'generateOffer')).toMatch(/^c=IN IP6 [0-9a-f:]+$/m);
  });
}
