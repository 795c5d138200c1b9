// The operator's live view and admin actions, with real pages in each kind of session: who
// is where now and on which media server; a participant removed from a group call, a
// broadcast and a hello-world session ended, each user told in words, and nothing left on
// the media server of what was ended.

import type { Browser, Page } from 'playwright-core';
import { eventually, pipelinesOnMediaServer, startApp, type RunningApp } from '../helpers/app';
import { helloWorldCall, launchChromium } from '../helpers/browser';

jest.setTimeout(120_000);

interface Live {
  id: string;
  demo: string;
  room?: string;
  participants: string[];
  mediaServer?: string;
  since: string;
}

type Shown = Record<string, unknown>;

/** The demo element's controller state that a user sees: state, error, notice, joined. */
const shown = (page: Page, tag: string): Promise<Shown> =>
  page.evaluate((t) => {
    const call = (document.querySelector(t) as unknown as { call: Record<string, unknown> }).call;
    return { state: call.state, error: call.error, notice: call.notice, joined: call.joined };
  }, tag);

describe('live sessions and admin actions', () => {
  let running: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    running = await startApp();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  const live = async (path = '/api/sessions/live'): Promise<Live[]> => {
    const body = (await (await fetch(`${running.url}${path}`)).json()) as { sessions?: Live[]; rooms?: Live[] };
    return body.sessions ?? body.rooms ?? [];
  };
  const remove = (path: string): Promise<Response> => fetch(`${running.url}${path}`, { method: 'DELETE' });

  test('lists who is where, and ends sessions or removes participants, telling each user', async () => {
    const hello = await browser.newPage();
    await helloWorldCall(hello, running.url);

    const join = async (name: string): Promise<Page> => {
      const page = await browser.newPage();
      await page.goto(`${running.url}/groupcall.html`);
      await page.locator('group-call-demo >> #name').fill(name);
      await page.locator('group-call-demo >> #room').fill('ops');
      await page.locator('group-call-demo >> #join').click();
      await eventually(
        () => shown(page, 'group-call-demo'),
        (s) => s.joined === true,
        20_000,
        `${name} to join`,
      );
      return page;
    };
    const [ann, ben] = [await join('ann'), await join('ben')];

    const presenter = await browser.newPage();
    await presenter.goto(`${running.url}/one2many.html`);
    await presenter.locator('one2many-demo >> #room').fill('stage');
    await presenter.locator('one2many-demo >> #presenter').click();
    await eventually(
      () => shown(presenter, 'one2many-demo'),
      (s) => s.state === 'presenting',
      20_000,
      'the presenter to present',
    );
    const viewer = await browser.newPage();
    await viewer.goto(`${running.url}/one2many.html`);
    await viewer.locator('one2many-demo >> #room').fill('stage');
    await viewer.locator('one2many-demo >> #viewer').click();
    await eventually(
      () => shown(viewer, 'one2many-demo'),
      (s) => s.state === 'viewing',
      20_000,
      'the viewer to view',
    );

    // Every session with media, its people, and the media server it is on.
    const mediaServer = running.app.media.members[0]!.url;
    const sessions = await eventually(live, (l) => l.length === 3, 10_000, 'three live sessions');
    const byDemo = Object.fromEntries(sessions.map((s) => [s.demo, s]));
    expect(byDemo.helloworld).toMatchObject({ participants: ['visitor'], mediaServer });
    expect(byDemo.helloworld!.room).toBeUndefined();
    expect(byDemo.groupcall).toMatchObject({ room: 'ops', participants: ['ann', 'ben'], mediaServer });
    expect(byDemo.one2many).toMatchObject({ room: 'stage', participants: ['presenter', 'viewer-1'], mediaServer });
    for (const s of sessions) expect(Date.parse(s.since)).toBeLessThanOrEqual(Date.now());
    // Rooms only: the group call and the broadcast.
    expect((await live('/api/rooms/live')).map((r) => r.room).sort()).toEqual(['ops', 'stage']);

    // Bad requests are refused in the API's one error shape.
    const unknown = await remove('/api/sessions/live/00000000-0000-4000-8000-000000000000');
    expect([unknown.status, ((await unknown.json()) as { error: string }).error]).toEqual([404, 'NOT_FOUND']);
    const malformed = await remove('/api/sessions/live/not-an-id');
    expect([malformed.status, ((await malformed.json()) as { error: string }).error]).toEqual([400, 'BAD_REQUEST']);
    const nobody = await remove(`/api/sessions/live/${byDemo.groupcall!.id}/participants/carl`);
    expect(nobody.status).toBe(404);

    // Ben is removed from the group call: told so, out of the room; Ann stays, without him.
    expect((await remove(`/api/sessions/live/${byDemo.groupcall!.id}/participants/ben`)).status).toBe(204);
    expect(
      await eventually(
        () => shown(ben, 'group-call-demo'),
        (s) => s.joined === false,
        10_000,
        'ben out of the room',
      ),
    ).toMatchObject({ error: 'An operator removed you from the session' });
    expect(await shown(ann, 'group-call-demo')).toMatchObject({ joined: true, error: '' });
    expect((await eventually(live, (l) => l.find((s) => s.demo === 'groupcall')?.participants.length === 1))[0]).toBeDefined();
    expect((await live()).find((s) => s.demo === 'groupcall')!.participants).toEqual(['ann']);

    // The broadcast is ended: the presenter is told why, the viewer that it ended.
    expect((await remove(`/api/sessions/live/${byDemo.one2many!.id}`)).status).toBe(204);
    expect(
      await eventually(
        () => shown(presenter, 'one2many-demo'),
        (s) => s.state === 'idle',
        10_000,
        'the presenter stopped',
      ),
    ).toMatchObject({ error: 'The session was ended by an operator' });
    expect(
      await eventually(
        () => shown(viewer, 'one2many-demo'),
        (s) => s.state === 'idle',
        10_000,
        'the viewer stopped',
      ),
    ).toMatchObject({ notice: 'The broadcast ended: an operator ended the broadcast' });

    // The hello-world session is ended too.
    expect((await remove(`/api/sessions/live/${byDemo.helloworld!.id}`)).status).toBe(204);
    expect(
      await eventually(
        () => shown(hello, 'hello-world-demo'),
        (s) => s.state === 'idle',
        10_000,
        'hello-world stopped',
      ),
    ).toMatchObject({ error: 'The session was ended by an operator' });

    // What was ended is gone from the live list and from the media server; the history says why.
    expect((await live()).map((s) => [s.demo, s.participants])).toEqual([['groupcall', ['ann']]]);
    await eventually(
      () => pipelinesOnMediaServer(running.app),
      (p) => p.length === 1,
      10_000,
      'only the group call’s pipeline left',
    );
    type Calls = { items: { kind: string; room?: string; endReason?: string }[] };
    const calls = (await (await fetch(`${running.url}/api/calls`)).json()) as Calls;
    expect(calls.items.find((c) => c.room === 'stage')).toMatchObject({ kind: 'one2many', endReason: 'ended-by-operator' });

    for (const page of [hello, ann, ben, presenter, viewer]) await page.close();
    await eventually(
      () => pipelinesOnMediaServer(running.app),
      (p) => p.length === 0,
      10_000,
      'every pipeline released',
    );
  });

  test('a server shared on the network with no API_TOKEN refuses admin actions', async () => {
    const open = await startApp({ HOST: '0.0.0.0', ALLOW_ANONYMOUS: 'true' });
    try {
      const response = await fetch(`${open.url}/api/sessions/live/00000000-0000-4000-8000-000000000000`, { method: 'DELETE' });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: 'ADMIN_NEEDS_TOKEN', code: 4034 });
      // Reading the live view stays open, as the rest of its API is.
      expect((await fetch(`${open.url}/api/sessions/live`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});
