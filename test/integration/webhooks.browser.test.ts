// Webhooks through the app, as an operator's receiver sees them: a group call's life (the
// room opened, people joining and leaving, the room closed) and a recording's (started, then
// ready with its size and length), each signed, delivered in order, and retried when the
// receiver fails; the call never waits for the receiver.

import type { Browser, Page } from 'playwright-core';
import { signature } from '../../server/webhooks/webhooks';
import { eventually, startApp, type RunningApp } from '../helpers/app';
import { launchChromium } from '../helpers/browser';
import { WebhookReceiver } from '../helpers/webhook-receiver';

jest.setTimeout(120_000);

const SECRET = 'webhook-secret-for-tests';

describe('webhooks', () => {
  let receiver: WebhookReceiver;
  let running: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    // The receiver fails its first two requests: the first event comes again, twice.
    receiver = await WebhookReceiver.start([503, 503]);
    running = await startApp({ WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: SECRET });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    await receiver?.close();
  });

  const events = (): { event: string; data: Record<string, unknown> }[] =>
    receiver.accepted.map((r) => ({ event: r.body.event, data: r.body.data }));

  test('a group call and a recording, told as they happen', async () => {
    const join = async (name: string): Promise<Page> => {
      const page = await browser.newPage();
      await page.goto(`${running.url}/groupcall.html`);
      await page.locator('group-call-demo >> #name').fill(name);
      await page.locator('group-call-demo >> #room').fill('hooked');
      await page.locator('group-call-demo >> #join').click();
      await eventually(
        () =>
          page.evaluate(
            () => (document.querySelector('group-call-demo') as unknown as { call: { joined: boolean } }).call.joined,
          ),
        (joined) => joined,
        20_000,
        `${name} to join`,
      );
      return page;
    };
    const ann = await join('ann');
    // Ann is in the room although the receiver has not yet taken a single event.
    expect(receiver.accepted).toHaveLength(0);
    const ben = await join('ben');
    await ben.close();
    // A closed page's socket reaches the server a moment later: Ben's leave is seen before
    // Ann's page closes, so the order of the events is the order of the leaves.
    await eventually(
      events,
      (e) => e.some((x) => x.event === 'participantLeft' && x.data.participant === 'ben'),
      20_000,
      'ben to be reported gone',
    );
    await ann.close();

    const call = await eventually(
      events,
      (e) => e.some((x) => x.event === 'sessionDestroyed'),
      20_000,
      'the room to be reported closed',
    );
    const sessionId = call[0]!.data.sessionId;
    expect(typeof sessionId).toBe('string');
    expect(call).toEqual([
      { event: 'sessionCreated', data: { sessionId, kind: 'groupcall', room: 'hooked', participants: [] } },
      { event: 'participantJoined', data: { sessionId, participant: 'ann' } },
      { event: 'participantJoined', data: { sessionId, participant: 'ben' } },
      { event: 'participantLeft', data: { sessionId, participant: 'ben' } },
      { event: 'participantLeft', data: { sessionId, participant: 'ann' } },
      { event: 'sessionDestroyed', data: { sessionId, reason: 'hang-up' } },
    ]);
    // The first event was refused twice and came again under the same delivery id.
    expect(receiver.received.slice(0, 3).map((r) => [r.body.event, r.status])).toEqual([
      ['sessionCreated', 503],
      ['sessionCreated', 503],
      ['sessionCreated', 200],
    ]);
    expect(new Set(receiver.received.slice(0, 3).map((r) => r.body.id)).size).toBe(1);

    // A recording of about 2 s.
    const recorder = await browser.newPage();
    await recorder.goto(`${running.url}/recording.html`);
    await recorder.click('#record');
    await eventually(
      () =>
        recorder.evaluate(() => (document.querySelector('recording-demo') as unknown as { call: { state: string } }).call.state),
      (s) => s === 'recording',
      20_000,
      'the recording to start',
    );
    await recorder.waitForTimeout(2000);
    await recorder.click('#stop');
    const all = await eventually(
      events,
      (e) => e.some((x) => x.event === 'recordingReady'),
      20_000,
      'the recording to be reported ready',
    );
    const [started, ready] = all.filter((x) => x.event.startsWith('recording'));
    expect(started).toEqual({
      event: 'recordingStarted',
      data: { recordingId: expect.any(String), profile: expect.any(String) },
    });
    expect(ready).toMatchObject({
      event: 'recordingReady',
      data: { recordingId: started!.data.recordingId, demo: 'recording', participants: [] },
    });
    expect(ready!.data.sizeBytes).toBeGreaterThan(10_000);
    expect(ready!.data.durationMs).toBeGreaterThan(1500);
    await recorder.close();

    // Every request is signed with the shared secret, over the exact bytes sent.
    for (const r of receiver.received) {
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(r.headers['x-stage-signature']))!;
      expect(v1).toBe(signature(SECRET, Number(t), r.raw));
    }
  });
});
