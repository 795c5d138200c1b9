// The "How it works" panel's live pipeline, read from the media server as real browsers use
// the demos: a broadcast with two viewers shows three WebRtcEndpoints and the presenter's two
// connections, and one connection after a viewer leaves; the leaver's page shows none; hello
// world shows its endpoint connected to itself with media flowing; an effect swapped on the
// effects page puts a new GStreamerFilter in the old one's place, and "none" takes it out; a
// recording shows its RecorderEndpoint taking media in, and playing it back shows the
// PlayerEndpoint's pipeline instead; the operator's /pipelines page and /api/pipelines list
// what is there and nothing once it is gone.

import type { Browser, Page } from 'playwright-core';
import { eventually, noPipelinesLeft, startApp, type RunningApp } from '../helpers/app';
import { launchChromium } from '../helpers/browser';

interface ShownPipeline {
  elements: { id: string; type: string; text: string }[];
  connections: { source: string; sink: string; text: string }[];
  empty: string;
}

/** What a page's panel shows, read from its rendered listing. */
function panel(page: Page, tag: string): Promise<ShownPipeline> {
  return page.evaluate((tag) => {
    const view = document
      .querySelector(tag)
      ?.shadowRoot?.querySelector('stage-how-it-works')
      ?.shadowRoot?.querySelector('stage-pipeline-view')?.shadowRoot;
    if (!view) return { elements: [], connections: [], empty: 'no panel' };
    const elements = [...view.querySelectorAll<HTMLElement>('[data-element]')].map((e) => ({
      id: e.dataset.element!,
      type: e.dataset.elementType!,
      text: e.textContent!.replace(/\s+/g, ' ').trim(),
    }));
    const connections = [...view.querySelectorAll<HTMLElement>('[data-connection]')].map((e) => ({
      source: e.dataset.source!,
      sink: e.dataset.sink!,
      text: e.textContent!.replace(/\s+/g, ' ').trim(),
    }));
    return { elements, connections, empty: view.querySelector('.empty')?.textContent ?? '' };
  }, tag);
}

const endpoints = (shown: ShownPipeline) => shown.elements.filter((e) => e.type === 'WebRtcEndpoint');

describe('the live pipeline panel', () => {
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

  const open = async (path: string): Promise<Page> => {
    const page = await browser.newPage();
    await page.goto(`${running.url}${path}`);
    return page;
  };

  test('one2many: 3 endpoints and 2 connections from the presenter; a viewer leaves and 1 remains', async () => {
    const presenter = await open('/one2many.html');
    expect((await panel(presenter, 'one2many-demo')).empty).toMatch(/No pipeline yet/);
    await presenter.locator('one2many-demo #room').fill('pipes');
    await presenter.locator('one2many-demo #presenter').click();
    const viewers = [await open('/one2many.html'), await open('/one2many.html')];
    for (const v of viewers) {
      await v.locator('one2many-demo #room').fill('pipes');
      await v.locator('one2many-demo #viewer').click();
    }

    const full = (s: ShownPipeline): boolean =>
      endpoints(s).length === 3 && s.connections.length === 2 && new Set(s.connections.map((c) => c.source)).size === 1;
    for (const page of [presenter, ...viewers]) {
      const shown = await eventually(() => panel(page, 'one2many-demo'), full, 20_000, 'three endpoints, two connections');
      const source = shown.connections[0]!.source;
      expect(shown.connections.map((c) => c.sink).sort()).toEqual(
        endpoints(shown)
          .map((e) => e.id)
          .filter((id) => id !== source)
          .sort(),
      );
      // connect() with no media type joins audio, video and data, on KMS as here.
      expect(shown.connections[0]!.text).toMatch(/WebRtcEndpoint .* → WebRtcEndpoint .* \(AUDIO, DATA, VIDEO\)/);
    }
    // The presenter's endpoint receives the camera and sends it into the pipeline; each
    // viewer's takes it from the pipeline and sends it to its browser (KMS's MediaFlowIn/Out).
    const flowing = await eventually(
      () => panel(presenter, 'one2many-demo'),
      (s) =>
        s.elements.every((e) =>
          e.id === s.connections[0]?.source
            ? /into the pipeline audio and video; receives [1-9]\d* kbit\/s/.test(e.text)
            : /from the pipeline audio and video, .* sends [1-9]\d* kbit\/s/.test(e.text),
        ),
      20_000,
      'media flowing through the presenter endpoint to both viewers, with bitrates',
    );
    expect(flowing.elements).toHaveLength(3);

    // The operator sees the same pipeline, labelled with its room.
    const listed = (await (await fetch(`${running.url}/api/pipelines`)).json()) as {
      pipelines: { label: string; pipeline: { elements: unknown[] } | null }[];
    };
    expect(listed.pipelines.map((p) => [p.label, p.pipeline?.elements.length])).toEqual([['one2many room pipes', 3]]);
    const operator = await open('/pipelines');
    await eventually(
      () => operator.locator('pipelines-page [data-element-type=WebRtcEndpoint]').count(),
      (n) => n === 3,
    );
    expect(await operator.locator('pipelines-page h2').textContent()).toBe('one2many room pipes');

    await viewers[0]!.locator('one2many-demo #stop').click();
    const after = await eventually(
      () => panel(presenter, 'one2many-demo'),
      (s) => endpoints(s).length === 2 && s.connections.length === 1,
      20_000,
      'two endpoints and one connection after a viewer left',
    );
    expect(after.connections[0]!.source).toBe(flowing.connections[0]!.source);
    // The viewer who left no longer sees the broadcast's pipeline.
    await eventually(
      () => panel(viewers[0]!, 'one2many-demo'),
      (s) => s.elements.length === 0 && /No pipeline yet/.test(s.empty),
    );

    await presenter.locator('one2many-demo #stop').click();
    await noPipelinesLeft(running.app);
    await eventually(
      () => operator.locator('pipelines-page #none').count(),
      (n) => n === 1,
    );
    for (const page of [presenter, ...viewers, operator]) await page.close();
  });

  test('hello world: one endpoint connected to itself, media flowing both ways', async () => {
    const page = await open('/helloworld.html');
    await page.locator('hello-world-demo #start').click();
    const shown = await eventually(
      () => panel(page, 'hello-world-demo'),
      (s) =>
        s.elements.length === 1 &&
        /from the pipeline audio and video, into the pipeline audio and video; receives [1-9]/.test(s.elements[0]!.text) &&
        s.connections.length === 1,
      20_000,
      'one endpoint, flowing in and out, connected to itself',
    );
    expect(shown.connections[0]!.source).toBe(shown.elements[0]!.id);
    expect(shown.connections[0]!.sink).toBe(shown.elements[0]!.id);
    // The README is there too, with its pipeline drawing and its messages.
    const readme = await page.locator('hello-world-demo stage-how-it-works .readme').textContent();
    expect(readme).toContain('WebRtcEndpoint connected to itself');
    expect(readme).toContain('startResponse');
    await page.locator('hello-world-demo #stop').click();
    await eventually(
      () => panel(page, 'hello-world-demo'),
      (s) => s.elements.length === 0,
    );
    await page.close();
    await noPipelinesLeft(running.app);
  });

  const byType = (s: ShownPipeline, type: string) => s.elements.filter((e) => e.type === type);
  const linked = (s: ShownPipeline, source: string, sink: string): boolean =>
    s.connections.some((c) => c.source === source && c.sink === sink);

  test('effects: a swapped effect is a new GStreamerFilter in the old one\'s place; "none" takes it out', async () => {
    const page = await open('/effects.html');
    await page.locator('effects-demo #start').click();
    /** The endpoint → filter → endpoint loop, with media going into the filter. */
    const looped = (s: ShownPipeline): boolean => {
      const [endpoint] = endpoints(s);
      const [filter] = byType(s, 'GStreamerFilter');
      return (
        s.elements.length === 2 &&
        !!endpoint &&
        !!filter &&
        linked(s, endpoint.id, filter.id) &&
        linked(s, filter.id, endpoint.id) &&
        /from the pipeline audio and video|from the pipeline video/.test(filter.text)
      );
    };
    const first = await eventually(() => panel(page, 'effects-demo'), looped, 20_000, 'endpoint → filter → endpoint');
    const firstFilter = byType(first, 'GStreamerFilter')[0]!.id;

    await page.locator('effects-demo #effect-mirror').click();
    const swapped = await eventually(
      () => panel(page, 'effects-demo'),
      (s) => looped(s) && byType(s, 'GStreamerFilter')[0]!.id !== firstFilter,
      20_000,
      'a new filter in the loop, and the old one gone',
    );
    expect(endpoints(swapped)[0]!.id).toBe(endpoints(first)[0]!.id);
    expect(swapped.elements.map((e) => e.id)).not.toContain(firstFilter);

    await page.locator('effects-demo #effect-none').click();
    const straight = await eventually(
      () => panel(page, 'effects-demo'),
      (s) => s.elements.length === 1 && s.connections.length === 1,
      20_000,
      'the endpoint alone, connected to itself',
    );
    expect(straight.connections[0]).toMatchObject({ source: straight.elements[0]!.id, sink: straight.elements[0]!.id });

    await page.locator('effects-demo #stop').click();
    await eventually(
      () => panel(page, 'effects-demo'),
      (s) => s.elements.length === 0,
    );
    await page.close();
    await noPipelinesLeft(running.app);
  });

  test("recording: the RecorderEndpoint takes media in; playing back shows the PlayerEndpoint's pipeline", async () => {
    const page = await open('/recording.html');
    await page.locator('recording-demo #record').click();
    const recording = await eventually(
      () => panel(page, 'recording-demo'),
      (s) => {
        const [recorder] = byType(s, 'RecorderEndpoint');
        const [endpoint] = endpoints(s);
        return (
          !!recorder &&
          !!endpoint &&
          linked(s, endpoint.id, recorder.id) &&
          /from the pipeline audio and video/.test(recorder.text)
        );
      },
      20_000,
      'a RecorderEndpoint fed by the WebRtcEndpoint, with audio and video flowing in',
    );
    const recorder = byType(recording, 'RecorderEndpoint')[0]!.id;
    await page.waitForTimeout(2000);
    await page.locator('recording-demo #stop').click();
    await eventually(
      () => page.locator('recording-demo #play').isEnabled(),
      (enabled) => enabled,
      15_000,
      'the recording saved',
    );

    await page.locator('recording-demo #play').click();
    const playing = await eventually(
      () => panel(page, 'recording-demo'),
      (s) => {
        const [player] = byType(s, 'PlayerEndpoint');
        const [endpoint] = endpoints(s);
        return !!player && !!endpoint && s.elements.length === 2 && linked(s, player.id, endpoint.id);
      },
      20_000,
      'PlayerEndpoint → WebRtcEndpoint',
    );
    expect(playing.elements.map((e) => e.id)).not.toContain(recorder);
    await page.close();
    await noPipelinesLeft(running.app);
  });
});
