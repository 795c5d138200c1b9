// Data channels on WebRtcEndpoint, driven through the unmodified kurento-client as KMS's
// data-channel tutorials drive it (part of the conformance suite: the embedded engine and,
// where Docker exists, a real KMS): a browser's channel to an endpoint
// looped back through the pipeline gets its messages back, text as text and bytes as bytes;
// `connect(sink, 'DATA')` carries one browser's messages to another's channel; the server
// opens and closes channels with createDataChannel/closeDataChannel; an endpoint made without
// useDataChannels refuses the channel, as KMS does.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import { eventually } from '../helpers/app';
import type { BrowserPeer } from '../helpers/browser-peer';
import { BrowserRoom, withRoom } from '../helpers/browser-room';
import { call, negotiateBrowserOffer, negotiateServerOffer } from '../helpers/kurento';
import type { MediaServerTarget } from './scenarios';

/** What a page's data channels saw: each channel's states and messages, by label. */
interface ChannelLog {
  states: string[];
  messages: { text?: string; bytes?: number[] }[];
}

/** Opens `label` on the page's peer connection (before the offer), logging what happens to it. */
function openChannel(peer: BrowserPeer, label: string): Promise<void> {
  return peer.page.evaluate((label) => {
    const w = window as unknown as { pc: RTCPeerConnection; track(dc: RTCDataChannel): void };
    w.track(w.pc.createDataChannel(label));
  }, label);
}

/** Makes the page log every channel: its own and the ones the media server opens. */
async function logChannels(peer: BrowserPeer): Promise<void> {
  await peer.page.evaluate(() => {
    const w = window as unknown as {
      pc: RTCPeerConnection;
      channels: Record<string, RTCDataChannel>;
      logs: Record<string, { states: string[]; messages: { text?: string; bytes?: number[] }[] }>;
      track(dc: RTCDataChannel): void;
    };
    w.channels = {};
    w.logs = {};
    w.track = (dc) => {
      dc.binaryType = 'arraybuffer';
      const log: (typeof w.logs)[string] = { states: [dc.readyState], messages: [] };
      w.logs[dc.label] = log;
      w.channels[dc.label] = dc;
      dc.onopen = () => log.states.push('open');
      dc.onclose = () => log.states.push('closed');
      dc.onmessage = (e) =>
        log.messages.push(typeof e.data === 'string' ? { text: e.data } : { bytes: [...new Uint8Array(e.data as ArrayBuffer)] });
    };
    w.pc.ondatachannel = (e) => w.track(e.channel);
  });
}

function channelLog(peer: BrowserPeer, label: string): Promise<ChannelLog | undefined> {
  return peer.page.evaluate((label) => (window as unknown as { logs: Record<string, ChannelLog> }).logs[label], label);
}

function send(peer: BrowserPeer, label: string, message: string | number[]): Promise<void> {
  return peer.page.evaluate(
    ({ label, message }) => {
      const dc = (window as unknown as { channels: Record<string, RTCDataChannel> }).channels[label]!;
      if (typeof message === 'string') dc.send(message);
      else dc.send(new Uint8Array(message));
    },
    { label, message },
  );
}

const opened = (log: ChannelLog | undefined): boolean => log?.states.includes('open') ?? false;
const closed = (log: ChannelLog | undefined): boolean => log?.states.includes('closed') ?? false;

export function dataChannelsSuite(target: () => MediaServerTarget): void {
  const room = withRoom(() => BrowserRoom.open(target().url));

  async function browserPeer(): Promise<BrowserPeer> {
    const peer = await room().peer({ send: false });
    await logChannels(peer);
    return peer;
  }

  /**
   * Records an endpoint's data-channel events, in order. KMS raises each of them twice
   * (WebRtcEndpointImpl emits each signal twice), the engine once: a repeat counts once.
   */
  function channelEvents(endpoint: any): string[] {
    const seen: string[] = [];
    const record = (event: string): void => {
      if (seen[seen.length - 1] !== event) seen.push(event);
    };
    endpoint.on('DataChannelOpened', (e: any) => record(`opened ${e.channelId}`));
    endpoint.on('DataChannelClosed', (e: any) => record(`closed ${e.channelId}`));
    return seen;
  }

  test("a browser's channel looped back through the pipeline returns its text and bytes", async () => {
    const endpoint = await call<any>(room().pipeline, 'create', 'WebRtcEndpoint', { useDataChannels: true });
    const events = channelEvents(endpoint);
    await call(endpoint, 'connect', endpoint);
    const peer = await browserPeer();
    await openChannel(peer, 'chat');
    await negotiateBrowserOffer(peer, endpoint);

    await eventually(() => channelLog(peer, 'chat'), opened, 20_000, 'the channel to open');
    await eventually(
      () => events,
      (e) => e.length === 1,
      5000,
      'DataChannelOpened',
    );
    expect(events[0]).toMatch(/^opened \d+$/);

    await send(peer, 'chat', 'hello, pipeline');
    await send(peer, 'chat', [0, 1, 2, 254, 255]);
    const log = await eventually(
      () => channelLog(peer, 'chat'),
      (l) => (l?.messages.length ?? 0) >= 2,
      10_000,
      'the echoes',
    );
    expect(log!.messages).toEqual([{ text: 'hello, pipeline' }, { bytes: [0, 1, 2, 254, 255] }]);

    // KMS keeps one channel per endpoint: a second one is closed as soon as it opens.
    await peer.page.evaluate(() => {
      const w = window as unknown as { pc: RTCPeerConnection; track(dc: RTCDataChannel): void };
      w.track(w.pc.createDataChannel('second'));
    });
    await eventually(() => channelLog(peer, 'second'), closed, 10_000, 'the second channel to be closed');
    expect(events).toHaveLength(1);

    // The browser closing its channel is DataChannelClosed, with the id it opened with.
    await peer.page.evaluate(() => (window as unknown as { channels: Record<string, RTCDataChannel> }).channels.chat!.close());
    await eventually(
      () => events,
      (e) => e.length === 2,
      10_000,
      'DataChannelClosed',
    );
    expect(events[1]).toBe(events[0]!.replace('opened', 'closed'));
  });

  test("connect(sink, 'DATA') carries one browser's messages to a channel the server opened on another", async () => {
    const sender = await call<any>(room().pipeline, 'create', 'WebRtcEndpoint', { useDataChannels: true });
    const receiver = await call<any>(room().pipeline, 'create', 'WebRtcEndpoint', { useDataChannels: true });
    const receiverEvents = channelEvents(receiver);
    await call(sender, 'connect', receiver, 'DATA');
    const sinks = await call<any[]>(sender, 'getSinkConnections', 'DATA');
    expect(sinks.map((c) => c.sink.id ?? c.sink)).toEqual([receiver.id]);

    const alice = await browserPeer();
    await openChannel(alice, 'from-alice');
    await negotiateBrowserOffer(alice, sender);
    // The media server offers here, with an SCTP section and no channel yet, as KMS does.
    const bob = await browserPeer();
    await negotiateServerOffer(bob, receiver);
    await eventually(() => channelLog(alice, 'from-alice'), opened, 20_000, "alice's channel to open");
    await eventually(
      () => receiver.getConnectionState(),
      (s: string) => s === 'CONNECTED',
      20_000,
      'bob to connect',
    );

    await call(receiver, 'createDataChannel', 'to-bob', true, -1, -1, '');
    await eventually(() => channelLog(bob, 'to-bob'), opened, 10_000, "the server's channel to open at bob");
    await eventually(
      () => receiverEvents,
      (e) => e.length === 1,
      5000,
      'DataChannelOpened',
    );

    await send(alice, 'from-alice', 'hi bob');
    const log = await eventually(
      () => channelLog(bob, 'to-bob'),
      (l) => (l?.messages.length ?? 0) >= 1,
      10_000,
      'the message at bob',
    );
    expect(log!.messages).toEqual([{ text: 'hi bob' }]);
    // DATA only: alice's own channel hears nothing back.
    expect((await channelLog(alice, 'from-alice'))!.messages).toEqual([]);

    const channelId = Number(receiverEvents[0]!.split(' ')[1]);
    await call(receiver, 'closeDataChannel', channelId);
    await eventually(() => channelLog(bob, 'to-bob'), closed, 10_000, "the server's channel to close at bob");
    await eventually(
      () => receiverEvents,
      (e) => e.length === 2,
      5000,
      'DataChannelClosed',
    );
    expect(receiverEvents[1]).toBe(`closed ${channelId}`);

    // Both limits at once is KMS's "Syntax error".
    await expect(call(receiver, 'createDataChannel', 'bad', true, 100, 3, '')).rejects.toThrow(/Syntax error/);
  });

  test('an endpoint made without useDataChannels rejects the channel, as KMS does', async () => {
    const endpoint = await call<any>(room().pipeline, 'create', 'WebRtcEndpoint');
    await call(endpoint, 'connect', endpoint);
    const peer = await browserPeer();
    await openChannel(peer, 'chat');
    const answer = await call<string>(endpoint, 'processOffer', await peer.createOffer());
    expect(answer).toMatch(/^m=application 0 /m);
    await peer.setAnswer(answer);
    await eventually(() => channelLog(peer, 'chat'), closed, 10_000, 'the refused channel to close');
    expect(opened(await channelLog(peer, 'chat'))).toBe(false);
    await expect(call(endpoint, 'createDataChannel', 'x', true, -1, -1, '')).rejects.toThrow(/Data channels are not supported/);
  });
}
