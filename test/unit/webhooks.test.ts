// The webhook sender on its own: signed requests, in order; retried with backoff while the
// receiver fails or is unreachable; given up on a refusal that another try cannot change;
// a bounded queue; and emit() never waits.

import pino from 'pino';
import { signature, Webhooks } from '../../server/webhooks/webhooks';
import { eventually, freePort } from '../helpers/app';
import { WebhookReceiver } from '../helpers/webhook-receiver';

const SECRET = 'a-secret-of-sixteen+';
const log = pino({ level: 'silent' });

describe('webhooks', () => {
  let receiver: WebhookReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  test('each event is POSTed once, in order, signed with the secret', async () => {
    receiver = await WebhookReceiver.start();
    const hooks = new Webhooks({ url: receiver.url, secret: SECRET }, log);
    hooks.emit('sessionCreated', { sessionId: 's1' });
    hooks.emit('participantJoined', { sessionId: 's1', participant: 'ann' });
    hooks.emit('sessionDestroyed', { sessionId: 's1', reason: 'hang-up' });
    await eventually(
      () => receiver!.accepted.length,
      (n) => n === 3,
      5000,
      'three events',
    );
    expect(receiver.accepted.map((r) => r.body.event)).toEqual(['sessionCreated', 'participantJoined', 'sessionDestroyed']);
    for (const r of receiver.accepted) {
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(r.headers['x-stage-signature']))!;
      expect(v1).toBe(signature(SECRET, Number(t), r.raw));
      expect(v1).not.toBe(signature('another-secret-entirely', Number(t), r.raw));
      expect(Math.abs(Date.now() / 1000 - Number(t))).toBeLessThan(60);
      expect(r.headers['x-stage-event']).toBe(r.body.event);
      expect(r.headers['x-stage-delivery']).toBe(r.body.id);
      expect(r.headers['content-type']).toBe('application/json');
    }
    expect(new Set(receiver.accepted.map((r) => r.body.id)).size).toBe(3);
    await hooks.close();
  });

  test('a failing receiver gets the same event again, with growing waits; later events wait their turn', async () => {
    receiver = await WebhookReceiver.start([503, 500, 429]);
    const hooks = new Webhooks({ url: receiver.url, secret: SECRET, backoffMs: 100 }, log);
    hooks.emit('recordingStarted', { recordingId: 'r1' });
    hooks.emit('recordingReady', { recordingId: 'r1' });
    await eventually(
      () => receiver!.accepted.length,
      (n) => n === 2,
      5000,
      'both delivered',
    );
    const attempts = receiver.received.map((r) => [r.body.event, r.status]);
    expect(attempts).toEqual([
      ['recordingStarted', 503],
      ['recordingStarted', 500],
      ['recordingStarted', 429],
      ['recordingStarted', 200],
      ['recordingReady', 200],
    ]);
    // One delivery id throughout: a receiver can tell a retry from a new event.
    expect(new Set(receiver.received.slice(0, 4).map((r) => r.headers['x-stage-delivery'])).size).toBe(1);
    expect(hooks.counts).toEqual({ delivered: 2, failed: 0, dropped: 0 });
    await hooks.close();
  });

  test('a refusal that a retry cannot change (400) is given up at once; the next event still goes', async () => {
    receiver = await WebhookReceiver.start([400]);
    const hooks = new Webhooks({ url: receiver.url, secret: SECRET, backoffMs: 100 }, log);
    hooks.emit('sessionCreated', { sessionId: 'bad' });
    hooks.emit('sessionCreated', { sessionId: 'good' });
    await eventually(
      () => receiver!.received.length,
      (n) => n === 2,
      5000,
      'two requests',
    );
    expect(receiver.received.map((r) => [r.body.data.sessionId, r.status])).toEqual([
      ['bad', 400],
      ['good', 200],
    ]);
    expect(hooks.counts).toMatchObject({ delivered: 1, failed: 1 });
    await hooks.close();
  });

  test('an unreachable receiver: emit returns at once, attempts stop after the limit, the queue stays bounded', async () => {
    const url = `http://127.0.0.1:${await freePort()}/hooks`;
    const hooks = new Webhooks({ url, secret: SECRET, attempts: 2, backoffMs: 50, queueLimit: 3 }, log);
    for (let i = 0; i < 5; i++) hooks.emit('participantJoined', { participant: `p${i}` });
    // emit() returned before any attempt settled: it never waits on the receiver.
    expect(hooks.counts).toEqual({ delivered: 0, failed: 0, dropped: 1 });
    // Five events, room for three waiting: the first is in delivery, so one waiting is dropped.
    await eventually(
      () => hooks.counts.failed + hooks.counts.dropped,
      (n) => n === 5,
      5000,
      'all settled',
    );
    expect(hooks.counts).toEqual({ delivered: 0, failed: 4, dropped: 1 });
    await hooks.close();
  });

  test('without WEBHOOK_URL nothing is sent', async () => {
    const hooks = new Webhooks(undefined, log);
    expect(hooks.enabled).toBe(false);
    hooks.emit('sessionCreated', {});
    expect(hooks.counts).toEqual({ delivered: 0, failed: 0, dropped: 0 });
    await hooks.close();
  });
});
