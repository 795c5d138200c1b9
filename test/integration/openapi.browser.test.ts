// The REST API's OpenAPI description is generated from the routes: every API route is in it,
// with the parameters its schema checks; every path in it is a route that answers; and the
// /api-docs page draws every operation.

import { eventually, startApp, type RunningApp } from '../helpers/app';
import { launchChromium } from '../helpers/browser';

interface Doc {
  openapi: string;
  info: { version: string };
  paths: Record<
    string,
    Record<
      string,
      { summary: string; parameters?: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[] }
    >
  >;
}

describe('the OpenAPI description', () => {
  let running: RunningApp;
  let doc: Doc;

  beforeAll(async () => {
    running = await startApp();
    doc = (await (await fetch(`${running.url}/api/openapi.json`)).json()) as Doc;
  });

  afterAll(async () => {
    await running?.close();
  });

  test('lists every API route, each with a summary and the parameters its schema checks', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    // Nothing under /api (nor the health and metrics routes) was registered without a summary.
    expect(running.app.openApi.undocumented).toEqual([]);
    for (const path of [
      '/healthz',
      '/readyz',
      '/metrics',
      '/api/calls',
      '/api/recordings/{id}',
      '/api/sessions/live',
      '/api/openapi.json',
    ]) {
      expect(doc.paths[path]).toBeDefined();
    }
    for (const methods of Object.values(doc.paths))
      for (const op of Object.values(methods)) expect(op.summary.length).toBeGreaterThan(5);
    expect(doc.paths['/api/calls']!.get!.parameters).toEqual([
      {
        name: 'limit',
        in: 'query',
        required: false,
        schema: expect.objectContaining({ type: 'integer', minimum: 1, maximum: 100, default: 20 }),
      },
      { name: 'offset', in: 'query', required: false, schema: expect.objectContaining({ type: 'integer', minimum: 0 }) },
    ]);
    expect(Object.keys(doc.paths['/api/recordings/{id}']!).sort()).toEqual(['delete', 'get']);
    expect(
      doc.paths['/api/sessions/live/{id}/participants/{name}']!.delete!.parameters!.map((p) => [p.name, p.in, p.required]),
    ).toEqual([
      ['id', 'path', true],
      ['name', 'path', true],
    ]);
  });

  test('every path in it is a route that answers', async () => {
    const someId = '00000000-0000-4000-8000-000000000000';
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) {
        const url = running.url + path.replace('{id}', someId).replace('{name}', 'nobody');
        const response = await fetch(url, { method: method.toUpperCase() });
        const body = response.headers.get('content-type')?.includes('json')
          ? ((await response.json()) as { message?: string })
          : {};
        // A route may say the thing it names is not there; it never says there is no such route.
        expect({ route: `${method} ${path}`, message: body.message ?? '' }).not.toEqual({
          route: `${method} ${path}`,
          message: expect.stringMatching(/^Not found: there is no (GET|POST|PUT|PATCH|DELETE) \//),
        });
        expect(response.status).not.toBe(405);
      }
    }
  });

  test('the /api-docs page draws every operation', async () => {
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${running.url}/api-docs`);
      const drawn = await eventually(
        () => page.locator('api-docs-page >> .operation').evaluateAll((els) => els.map((e) => e.getAttribute('data-route'))),
        (list) => list.length > 0,
        10_000,
        'the operations to be drawn',
      );
      expect([...drawn].sort()).toEqual([...operations].sort());
      const calls = page.locator('api-docs-page >> [data-route="GET /api/calls"]');
      await expect(calls.textContent()).resolves.toMatch(/limit.*query.*integer, 1–100, default 20/s);
    } finally {
      await browser.close();
    }
  });
});
