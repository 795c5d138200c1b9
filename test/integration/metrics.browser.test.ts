// GET /metrics as Prometheus scrapes it: every figure the README lists is there, and each
// moves with what users do. A browser runs hello world (a session, a socket, a pipeline with
// an endpoint, signaling messages) and records on the recording page (a recording, its bytes
// and seconds); a socket sends a frame that is not JSON (an error by code); a page asks for
// its ICE servers (a TURN credential). The media server's CPU and memory come from the
// media server itself. With API_TOKEN set, /metrics wants it like the rest of the API.

import type { Browser } from 'playwright-core';
import { eventually, noPipelinesLeft, startApp, type RunningApp } from '../helpers/app';
import { helloWorldCall, launchChromium } from '../helpers/browser';
import { TestSocket } from '../helpers/ws';

jest.setTimeout(90_000);

const TOKEN = 'metrics-token-1';

type Samples = Map<string, number>;

/** Prometheus's text format to `name{label="value",…}` → value (comments skipped). */
function parse(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** The value of one sample, 0 when it is absent (a counter no one moved yet). */
const value = (samples: Samples, key: string): number => samples.get(key) ?? 0;

describe('GET /metrics', () => {
  let running: RunningApp;
  let browser: Browser;
  const auth = { authorization: `Bearer ${TOKEN}` };
  const scrape = async (): Promise<Samples> => {
    const res = await fetch(`${running.url}/metrics`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parse(await res.text());
  };

  beforeAll(async () => {
    running = await startApp({ API_TOKEN: TOKEN, TURN_URL: 'turn:127.0.0.1:3478', TURN_SECRET: 'metrics-secret' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  test('wants the token, as the rest of the API does', async () => {
    const res = await fetch(`${running.url}/metrics`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'UNAUTHORIZED' });
  });

  test('the figures move with what users do', async () => {
    const media = running.app.media.members[0]!.url;
    const server = `media_server="${media}"`;
    const before = await scrape();
    // The process's own figures, and the media server's, read from it.
    expect(before.has('process_cpu_seconds_total')).toBe(true);
    expect(before.has('nodejs_heap_size_used_bytes')).toBe(true);
    expect(value(before, `stage_media_server_up{${server}}`)).toBe(1);
    expect(value(before, `stage_media_server_cpu_count{${server}}`)).toBeGreaterThan(0);
    expect(value(before, `stage_media_server_memory_bytes{${server}}`)).toBeGreaterThan(10 * 1024 * 1024);
    expect(before.has(`stage_media_server_cpu_percent{${server}}`)).toBe(true);
    expect(value(before, `stage_pipelines{${server}}`)).toBe(0);

    // The visitor logs in once, as the recording test's does.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${running.url}/login`);
    await page.fill('input[name=token]', TOKEN);
    await page.click('button[type=submit]');
    await page.waitForURL(`${running.url}/`);
    await helloWorldCall(page, running.url);
    const during = await scrape();
    expect(value(during, 'stage_sessions{demo="helloworld"}')).toBe(1);
    expect(value(during, 'stage_websocket_connections')).toBeGreaterThanOrEqual(1);
    expect(value(during, `stage_pipelines{${server}}`)).toBe(1);
    expect(value(during, `stage_endpoints{${server}}`)).toBe(1);
    // start and the page's ICE candidates.
    expect(value(during, 'stage_signaling_messages_total{demo="helloworld"}')).toBeGreaterThan(
      value(before, 'stage_signaling_messages_total{demo="helloworld"}') + 1,
    );
    // The page asked for its ICE servers and got a credential; the endpoint got one too.
    expect(value(during, 'stage_turn_credentials_issued_total')).toBeGreaterThanOrEqual(
      value(before, 'stage_turn_credentials_issued_total') + 2,
    );
    await page.close();
    await noPipelinesLeft(running.app);
    const after = await scrape();
    expect(value(after, 'stage_sessions{demo="helloworld"}')).toBe(0);
    expect(value(after, `stage_pipelines{${server}}`)).toBe(0);

    // A frame that is not JSON: answered BAD_JSON, counted under its demo and code.
    const socket = await TestSocket.open(`${running.wsUrl}/helloworld`, auth);
    socket.send('not json');
    expect(await socket.next()).toMatchObject({ id: 'error', reason: 'BAD_JSON' });
    socket.close();
    const errors = await scrape();
    expect(value(errors, 'stage_signaling_errors_total{demo="helloworld",code="BAD_JSON"}')).toBe(
      value(after, 'stage_signaling_errors_total{demo="helloworld",code="BAD_JSON"}') + 1,
    );

    // A recording of about 2 s: one more, with its bytes and seconds.
    const recorder = await context.newPage();
    await recorder.goto(`${running.url}/recording.html`);
    await recorder.click('#record');
    await eventually(
      () =>
        recorder.evaluate(() => (document.querySelector('recording-demo') as unknown as { call: { state: string } }).call.state),
      (s) => s === 'recording',
      20_000,
    );
    await recorder.waitForTimeout(2000);
    await recorder.click('#stop');
    const recorded = await eventually(
      scrape,
      (m) => value(m, 'stage_recordings_total') === value(errors, 'stage_recordings_total') + 1,
      20_000,
      'the recording counted',
    );
    expect(value(recorded, 'stage_recording_bytes_total')).toBeGreaterThan(value(errors, 'stage_recording_bytes_total') + 10_000);
    expect(value(recorded, 'stage_recording_seconds_total')).toBeGreaterThan(
      value(errors, 'stage_recording_seconds_total') + 1.5,
    );
    await context.close();
    await noPipelinesLeft(running.app);
  });
});
