// Every page as a user sees it, at a laptop's width (1280 px) and a phone's (390 px), in
// light and dark: a screenshot (kept under $SCREENSHOT_DIR, or the system's temp folder), the
// header there, nothing scrolling sideways, and axe-core's accessibility rules with no
// serious or critical violation. A running call at 390 px keeps its numbers off the picture
// and its tiles stacked.

import AxeBuilderSource from 'axe-core';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { eventually, startApp, type RunningApp } from '../helpers/app';
import { launchChromium } from '../helpers/browser';

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = process.env.SCREENSHOT_DIR ?? join(tmpdir(), 'kurento-stage-screenshots');
const WIDTHS = [1280, 390] as const;
/** Pages checked side by side. */
const PAGES_AT_ONCE = 4;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof AxeBuilderSource }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations as unknown as AxeViolation[];
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id} (${v.help}) at ${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))}`);
}

/** The page's layout facts, read in the page. */
function layout(page: Page) {
  return page.evaluate(() => {
    const header = document.querySelector('stage-header');
    const headerBox = header?.getBoundingClientRect();
    return {
      header: !!headerBox && headerBox.height > 20 && !!header!.shadowRoot?.querySelector('a.brand'),
      scrollsSideways: document.documentElement.scrollWidth > window.innerWidth,
      h1: document.querySelector('main > h1')?.textContent ?? '',
    };
  });
}

describe('every page, at 1280 and 390 px', () => {
  let running: RunningApp;
  let browser: Browser;
  let pages: { path: string; tag: string }[];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    running = await startApp();
    browser = await launchChromium();
    const { demos } = (await (await fetch(`${running.url}/api/demos`)).json()) as {
      demos: { name: string; page: string }[];
    };
    pages = [
      { path: '/', tag: 'demo-index' },
      { path: '/pipelines', tag: 'pipelines-page' },
    ];
    for (const d of demos) {
      const html = await (await fetch(`${running.url}${d.page}`)).text();
      pages.push({ path: d.page, tag: /<([a-z0-9]+-[a-z0-9-]+)><\/\1>\s*<\/main>/.exec(html)![1]! });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    for (const width of WIDTHS) {
      test(`${scheme}, ${width} px: header, no sideways scrolling, no serious accessibility violation`, async () => {
        expect(pages.length).toBeGreaterThanOrEqual(12);
        const context = await browser.newContext({ viewport: { width, height: 860 }, colorScheme: scheme });
        /** One page's problems, in words. */
        const check = async ({ path, tag }: { path: string; tag: string }): Promise<string[]> => {
          const problems: string[] = [];
          const page = await context.newPage();
          await page.goto(`${running.url}${path}`);
          await page.locator(tag).waitFor();
          // The index and pipelines pages fetch before they render; Lit renders after that.
          await page.waitForLoadState('networkidle');
          await page.evaluate(
            (t) => (document.querySelector(t) as unknown as { updateComplete: Promise<boolean> }).updateComplete,
            tag,
          );
          const facts = await layout(page);
          if (!facts.header) problems.push(`${path}: no header`);
          if (facts.scrollsSideways) problems.push(`${path}: scrolls sideways at ${width} px`);
          if (!facts.h1) problems.push(`${path}: no heading`);
          for (const v of await seriousViolations(page)) problems.push(`${path}: ${v}`);
          const file = join(SHOTS, `${path.replace(/[^a-z0-9]+/gi, '_') || 'index'}-${width}-${scheme}.png`);
          await page.screenshot({ path: file, fullPage: true });
          if (statSync(file).size <= 5_000) problems.push(`${path}: a screenshot of ${statSync(file).size} bytes`);
          await page.close();
          return problems;
        };
        // NOTE: a few pages at a time, each in its own tab: the pages are independent, and
        // one at a time spent most of this test waiting for the network to go idle.
        const problems: string[] = [];
        for (let i = 0; i < pages.length; i += PAGES_AT_ONCE) {
          for (const found of await Promise.all(pages.slice(i, i + PAGES_AT_ONCE).map(check))) problems.push(...found);
        }
        await context.close();
        expect(problems).toEqual([]);
      });
    }
  }

  test('a running call at 390 px: tiles stacked, numbers under the picture, nothing sideways', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 860 } });
    const page = await context.newPage();
    await page.goto(`${running.url}/helloworld.html`);
    await page.locator('hello-world-demo #start').click();
    const boxes = await eventually(
      () =>
        page.evaluate(() => {
          const root = document.querySelector('hello-world-demo')!.shadowRoot!;
          const tiles = [...root.querySelectorAll('stage-video-tile')].map((t) => {
            const video = t.shadowRoot!.querySelector('video')!.getBoundingClientRect();
            const stats = t.shadowRoot!.querySelector('.stats')?.getBoundingClientRect();
            return {
              video: { top: video.top, bottom: video.bottom, left: video.left, width: video.width },
              stats: stats ? { top: stats.top, bottom: stats.bottom } : undefined,
            };
          });
          return { tiles, scrollsSideways: document.documentElement.scrollWidth > window.innerWidth };
        }),
      (b) => b.tiles.some((t) => t.stats !== undefined),
      20_000,
      'a tile with its numbers',
    );
    expect(boxes.scrollsSideways).toBe(false);
    const [local, remote] = boxes.tiles;
    // Stacked: the second tile below the first, each nearly the page's width.
    expect(remote!.video.top).toBeGreaterThanOrEqual(local!.video.bottom);
    expect(local!.video.width).toBeGreaterThan(300);
    for (const tile of boxes.tiles) {
      if (tile.stats) expect(tile.stats.top).toBeGreaterThanOrEqual(tile.video.bottom - 1);
    }
    await page.screenshot({ path: join(SHOTS, 'helloworld-running-390.png'), fullPage: true });
    await page.locator('hello-world-demo #stop').click();
    await context.close();
  });
});
