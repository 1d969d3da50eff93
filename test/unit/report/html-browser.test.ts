// The HTML report in a real headless Chromium: loads offline with no console error, draws its charts
// (SVG marks with a non-zero size), and leaves a screenshot in test-results/report.png.
// Chromium: /usr/bin/chromium; when absent and running as root, `apt-get install -y chromium` is tried
// once; when that fails too, the test is skipped with a loud message (never silently passed).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromFiles } from '../../../src/report/from-files.ts';
import { renderHtml } from '../../../src/report/render/html.ts';
import { buildFixture, writeFixture } from './fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const OUT = resolve('test-results');

function ensureChromium(): string | null {
  if (existsSync(CHROMIUM)) return null;
  if (process.getuid?.() !== 0)
    return `${CHROMIUM} missing and not root: install it with apt-get install -y chromium`;
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
    stdio: 'ignore',
    timeout: 480_000,
  });
  return existsSync(CHROMIUM)
    ? null
    : `${CHROMIUM} missing; apt-get install -y chromium failed (exit ${r.status})`;
}

const missing = ensureChromium();
if (missing) console.error(`\n!!! SKIPPING the HTML report browser test: ${missing}\n`);

describe.skipIf(missing !== null)('HTML report in headless Chromium', () => {
  let browser: BrowserContext;
  let userDir: string;
  let file: string;

  beforeAll(async () => {
    userDir = mkdtempSync(join(tmpdir(), 'logsift-chromium-'));
    const dataDir = mkdtempSync(join(tmpdir(), 'logsift-html-'));
    writeFixture(dataDir, buildFixture({ nodes: 8, days: 3 }));
    const model = await fromFiles(
      dataDir,
      { from: null, to: null },
      { now: () => new Date('2025-01-15T00:00:00Z'), top: 10 },
    );
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    file = join(OUT, 'report.html');
    writeFileSync(file, renderHtml(model));
    // A fresh --user-data-dir: playwright takes it as launchPersistentContext's first argument.
    browser = await chromium.launchPersistentContext(userDir, {
      executablePath: CHROMIUM,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(userDir, { recursive: true, force: true });
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`renders with no console error and non-empty charts (${scheme})`, async () => {
      const page = await browser.newPage();
      await page.emulateMedia({ colorScheme: scheme });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error' || msg.type() === 'warning') errors.push(msg.text());
      });
      page.on('pageerror', (err) => errors.push(err.message));
      page.on('request', (req) => {
        if (!req.url().startsWith('file:')) requests.push(req.url());
      });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]); // self-contained: nothing fetched

      for (const id of ['chart-volume', 'chart-components', 'chart-top', 'chart-netlink', 'chart-tier']) {
        const box = await page.locator(`#${id} svg`).first().boundingBox();
        expect(box, id).not.toBeNull();
        expect(box!.width, id).toBeGreaterThan(200);
        expect(box!.height, id).toBeGreaterThan(50);
      }
      // Marks with a real size: bars (rect) and lines (path).
      // Evaluated in the page (a string: this repo's tsconfig has no DOM lib).
      const marks = (await page.evaluate(`(() => {
        const sized = (sel) => [...document.querySelectorAll(sel)].filter((e) => {
          const r = e.getBoundingClientRect();
          return r.width > 0 && r.height > 0;
        }).length;
        return {
          volumeLines: sized('#chart-volume path.line'),
          componentBars: sized('#chart-components rect'),
          topBars: sized('#chart-top rect'),
          netlinkRects: sized('#chart-netlink rect'),
          tierRects: sized('#chart-tier rect'),
          hints: document.querySelectorAll('.hint').length,
          data: JSON.parse(document.getElementById('report-data').textContent).totals.records_in,
        };
      })()`)) as Record<string, number>;
      expect(marks.volumeLines).toBe(2);
      expect(marks.componentBars).toBeGreaterThanOrEqual(4);
      expect(marks.topBars).toBe(8);
      expect(marks.netlinkRects).toBeGreaterThan(20);
      expect(marks.tierRects).toBeGreaterThanOrEqual(3);
      expect(marks.hints).toBe(2);
      expect(marks.data).toBeGreaterThan(0);
      // Background follows the scheme.
      const bg = await page.evaluate('getComputedStyle(document.body).backgroundColor');
      expect(bg).toBe(scheme === 'dark' ? 'rgb(17, 20, 26)' : 'rgb(247, 248, 250)');
      await page.screenshot({
        path: join(OUT, scheme === 'light' ? 'report.png' : 'report-dark.png'),
        fullPage: true,
      });
      // The theme button switches without errors.
      await page.click('#theme');
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
