// Kurento's own tutorial pages (tutorials/javascript-node/*/static/js/index.js in the Kurento
// monorepo) against this server: each test speaks exactly what that page sends, in its order
// and with its fields, with a real browser's WebRTC behind it, and checks that media flows and
// that the server sends nothing the page does not know (its `switch` has no case for it, and
// hello world's and the magic mirror's treat an unknown message as an error).

import WebSocket from 'ws';
import type { Browser } from 'playwright-core';
import { eventually, noPipelinesLeft, startApp, type RunningApp } from '../helpers/app';
import { launchChromium } from '../helpers/browser';
import { BrowserPeer, PeerPageServer, type Candidate } from '../helpers/browser-peer';

type Message = Record<string, unknown> & { id: string };

/** One tutorial page: its socket, its peer, and everything the server said to it. */
class TutorialPage {
  readonly received: Message[] = [];
  /** kurento-utils' WebRtcPeer holds remote candidates until it has the answer: so do we. */
  private pending: Candidate[] | undefined = [];

  private constructor(
    private readonly ws: WebSocket,
    readonly peer: BrowserPeer,
  ) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Message;
      this.received.push(message);
      // Every tutorial page: `webRtcPeer.addIceCandidate(parsedMessage.candidate)`.
      if (message.id !== 'iceCandidate') return;
      if (this.pending) this.pending.push(message.candidate as Candidate);
      else void peer.addCandidate(message.candidate as Candidate);
    });
    // Every tutorial page: onIceCandidate → { id: 'onIceCandidate', candidate }.
    peer.onCandidate((candidate) => this.send({ id: 'onIceCandidate', candidate }));
  }

  static async open(url: string, peer: BrowserPeer): Promise<TutorialPage> {
    const ws = new WebSocket(url);
    await new Promise<void>((ok, fail) => {
      ws.once('open', () => ok());
      ws.once('error', fail);
    });
    return new TutorialPage(ws, peer);
  }

  /** webRtcPeer.processAnswer: the answer, then the candidates that came before it. */
  async processAnswer(sdp: unknown): Promise<void> {
    await this.peer.setAnswer(sdp as string);
    const queued = this.pending ?? [];
    this.pending = undefined;
    for (const c of queued) await this.peer.addCandidate(c);
  }

  send(message: Message): void {
    this.ws.send(JSON.stringify(message));
  }

  /** The next message with this id (already received or still to come). */
  async expect(id: string, timeoutMs = 15_000): Promise<Message> {
    return eventually(
      () => this.received.find((m) => m.id === id),
      (m) => m !== undefined,
      timeoutMs,
      `a '${id}' message`,
    ) as Promise<Message>;
  }

  ids(): string[] {
    return [...new Set(this.received.map((m) => m.id))].sort();
  }

  async decodes(): Promise<void> {
    await eventually(
      () => this.peer.videoStats(),
      (s) => s.framesDecoded > 10 && s.frameWidth > 0,
      20_000,
      'decoded frames',
    );
  }

  close(): void {
    this.ws.close();
  }
}

describe("Kurento's tutorial pages' messages", () => {
  let running: RunningApp;
  let browser: Browser;
  let pages: PeerPageServer;

  beforeAll(async () => {
    running = await startApp();
    browser = await launchChromium();
    pages = await PeerPageServer.start();
  });

  afterAll(async () => {
    await pages?.close();
    await browser?.close();
    await running?.close();
  });

  const page = async (path: string, send = true): Promise<TutorialPage> =>
    TutorialPage.open(`${running.wsUrl}${path}`, await BrowserPeer.open(browser, pages, { send }));

  for (const [path, name] of [
    ['/helloworld', 'hello-world'],
    ['/magicmirror', 'magic-mirror'],
  ] as const) {
    test(`${name}: start, answer, candidates both ways, media back, stop`, async () => {
      const p = await page(path);
      p.send({ id: 'start', sdpOffer: await p.peer.createOffer() });
      await p.processAnswer((await p.expect('startResponse')).sdpAnswer);
      await p.decodes();
      p.send({ id: 'stop' });
      await noPipelinesLeft(running.app);
      // The page's switch: startResponse, error, iceCandidate; anything else is an error there.
      expect(p.ids()).toEqual(['iceCandidate', 'startResponse']);
      p.close();
      await p.peer.close();
    });
  }

  test('one2one-call: register, call, incomingCall, accept, both decode, stop', async () => {
    const [alice, bob] = [await page('/one2one'), await page('/one2one')];
    alice.send({ id: 'register', name: 'alice' });
    bob.send({ id: 'register', name: 'bob' });
    expect((await alice.expect('registerResponse')).response).toBe('accepted');
    expect((await bob.expect('registerResponse')).response).toBe('accepted');
    alice.send({ id: 'call', from: 'alice', to: 'bob', sdpOffer: await alice.peer.createOffer() });
    expect((await bob.expect('incomingCall')).from).toBe('alice');
    // The page asks confirm(); accepting makes an offer and answers with it.
    bob.send({ id: 'incomingCallResponse', from: 'alice', callResponse: 'accept', sdpOffer: await bob.peer.createOffer() });
    await bob.processAnswer((await bob.expect('startCommunication')).sdpAnswer);
    const accepted = await alice.expect('callResponse');
    expect(accepted.response).toBe('accepted');
    await alice.processAnswer(accepted.sdpAnswer);
    await alice.decodes();
    await bob.decodes();
    alice.send({ id: 'stop' });
    await bob.expect('stopCommunication');
    await noPipelinesLeft(running.app);
    const known = ['callResponse', 'iceCandidate', 'incomingCall', 'registerResponse', 'startCommunication', 'stopCommunication'];
    for (const p of [alice, bob]) {
      expect(p.ids().filter((id) => !known.includes(id))).toEqual([]);
      p.close();
      await p.peer.close();
    }
  });

  test('one2many-call: presenter, viewer, the viewer decodes, the presenter stops', async () => {
    const presenter = await page('/one2many');
    presenter.send({ id: 'presenter', sdpOffer: await presenter.peer.createOffer() });
    const answer = await presenter.expect('presenterResponse');
    expect(answer.response).toBe('accepted');
    await presenter.processAnswer(answer.sdpAnswer);
    const viewer = await page('/one2many', false);
    viewer.send({ id: 'viewer', sdpOffer: await viewer.peer.createOffer() });
    const viewing = await viewer.expect('viewerResponse');
    expect(viewing.response).toBe('accepted');
    await viewer.processAnswer(viewing.sdpAnswer);
    await viewer.decodes();
    presenter.send({ id: 'stop' });
    await viewer.expect('stopCommunication');
    await noPipelinesLeft(running.app);
    const known = ['iceCandidate', 'presenterResponse', 'stopCommunication', 'viewerResponse'];
    for (const p of [presenter, viewer]) {
      expect(p.ids().filter((id) => !known.includes(id))).toEqual([]);
      p.close();
      await p.peer.close();
    }
  });
});
