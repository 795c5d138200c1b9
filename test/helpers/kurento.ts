// Driving the unmodified kurento-client from tests, as applications do: callbacks turned into
// promises, and a browser peer wired to an endpoint in either offer direction.

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-require-imports --
   kurento-client is untyped, and applications use it so */
import pino from 'pino';
import { routeKurentoClientOutput } from '../../server/kurento/client-output';
import { reportBackgroundError } from './background-errors';
import type { NegotiableEndpoint } from '../../scripts/lib/headless-peer';
import type { BrowserPeer } from './browser-peer';

const kurento = require('kurento-client');
// Tests that drive kurento-client directly route its console output as the product does.
routeKurentoClientOutput(pino({ level: process.env.TEST_LOG_LEVEL ?? 'warn' }));
// Add-on modules register their types with kurento-client, as applications do.
kurento.register('kurento-module-chroma');

const cb =
  <T>(resolve: (v: T) => void, reject: (e: unknown) => void) =>
  (err: unknown, value: T) =>
    err ? reject(err) : resolve(value);

/** A value of a kmd complex type (IceCandidate, chroma.WindowParam, ...), typed as the client wants. */
export function complexType(name: string, value: Record<string, unknown>): any {
  return kurento.getComplexType(name)(value);
}

/** kurento-client's promise API swallows errors (its default callback); use callbacks. */
export function call<T>(obj: any, method: string, ...args: unknown[]): Promise<T> {
  return new Promise<T>((resolve, reject) => obj[method](...args, cb<T>(resolve, reject)));
}

/**
 * A new port of `hub`, as kurento-client's callback gives it, kept in a box. NOTE: an awaited
 * kurento-client object is a copy (its objects are thenables), which kurento-client sends
 * whole, not as its id, where a method takes a HubPort with no `sink` beside it
 * (DispatcherOneToMany.setSource); KMS's types, and the engine, want the id.
 */
export function newHubPort(hub: any): Promise<{ port: any }> {
  return new Promise((resolve, reject) =>
    hub.createHubPort((error: Error | undefined, port: any) => (error ? reject(error) : resolve({ port }))),
  );
}

/**
 * The raw client behind each connected one. NOTE: kurento-client's object is a thenable, so
 * a promise resolved with it settles on what its then() yields, not on the object itself.
 */
const rawClients = new WeakMap<object, any>();

export function connect(url: string): Promise<any> {
  let raw: any;
  return new Promise((resolve, reject) => {
    raw = kurento(url, { failAfter: 5 }, (err: unknown) => (err ? reject(err) : resolve(raw)));
  }).then((client) => {
    rawClients.set(client as object, raw);
    return client;
  });
}

/**
 * Closes a client and waits until it has let go: kurento-client disconnects only after its
 * last request settles, and the registry's reconnect-ws may try once more meanwhile (and throw
 * an uncaught ECONNREFUSED if the media server went away by then).
 */
export async function disconnect(client: any): Promise<void> {
  const raw = rawClients.get(client) ?? client;
  raw.close();
  for (let waited = 0; (raw._re.reconnect || raw._re.connected) && waited < 5000; waited += 20) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Wires a browser peer to an endpoint with trickle ICE both ways. A candidate that either side
 * refuses fails the test (see background-errors), unless the page has gone by then.
 */
export function trickle(peer: BrowserPeer, endpoint: any): void {
  endpoint.on('IceCandidateFound', (e: any) => {
    peer.addCandidate(e.candidate).catch((err: unknown) => {
      if (!peer.page.isClosed())
        reportBackgroundError(`the browser refused the media server's candidate ${e.candidate.candidate}`, err);
    });
  });
  peer.onCandidate((c) => {
    endpoint.addIceCandidate(kurento.getComplexType('IceCandidate')(c), (err: unknown) => {
      if (err && !peer.page.isClosed())
        reportBackgroundError(`the media server refused the browser's candidate ${c.candidate}`, err);
    });
  });
}

/** Browser offers, media server answers (the tutorials' usual way). */
export async function negotiateBrowserOffer(peer: BrowserPeer, endpoint: any, videoCodec?: string): Promise<void> {
  trickle(peer, endpoint);
  const answer = await call<string>(endpoint, 'processOffer', await peer.createOffer(videoCodec));
  await peer.setAnswer(answer);
  await call(endpoint, 'gatherCandidates');
}

/** Media server offers, browser answers. */
export async function negotiateServerOffer(peer: BrowserPeer, endpoint: any): Promise<void> {
  trickle(peer, endpoint);
  const offer = await call<string>(endpoint, 'generateOffer');
  await call(endpoint, 'processAnswer', await peer.answer(offer));
  await call(endpoint, 'gatherCandidates');
}

/** A kurento-client WebRtcEndpoint as a headless peer negotiates with it (scripts/lib/headless-peer). */
export function negotiable(endpoint: any): NegotiableEndpoint {
  return {
    processOffer: (offer) => call<string>(endpoint, 'processOffer', offer),
    generateOffer: () => call<string>(endpoint, 'generateOffer'),
    processAnswer: (answer) => call<string>(endpoint, 'processAnswer', answer),
    gatherCandidates: () => call<void>(endpoint, 'gatherCandidates'),
    addIceCandidate: (c) => call<void>(endpoint, 'addIceCandidate', complexType('IceCandidate', c)),
    onIceCandidate: (listener) => endpoint.on('IceCandidateFound', (e: any) => listener(e.candidate)),
  };
}
