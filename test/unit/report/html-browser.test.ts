// The HTML report in a real headless Chromium, at 1280 px and 390 px wide, light and dark: loads
// offline with no console error, no horizontal scroll and no table wider than its panel, draws its
// charts (SVG marks with a non-zero size) and the findings first, and leaves screenshots in
// test-results/. The report is the generated onset day (test/helpers/calico-day.ts) through
// `logsift replay` and `logsift report -f html`.
//
// Chromium: Debian's /usr/bin/chromium. When absent and running as root (CI), the test installs it
// with apt-get (updating the package lists first: a fresh machine has none). It never skips: without
// a browser it fails and says how to install one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command as report } from '../../../src/cli/report.ts';
import { onsetDay } from '../../helpers/calico-day.ts';
import { io, replayDay } from '../findings/helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const OUT = resolve('test-results');

function apt(args: string[]): number | null {
  return spawnSync('apt-get', args, {
    stdio: 'ignore',
    timeout: 540_000,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  }).status;
}

/** null when Chromium is there (installed now if needed), else why not. */
function ensureChromium(): string | null {
  if (existsSync(CHROMIUM)) return null;
  if (process.getuid?.() !== 0)
    return `${CHROMIUM} is missing and this is not root: install it with apt-get install -y chromium`;
  let status = apt(['install', '-y', '--no-install-recommends', 'chromium']);
  if (!existsSync(CHROMIUM)) {
    // A fresh machine has no package lists yet.
    apt(['update']);
    status = apt(['install', '-y', '--no-install-recommends', 'chromium']);
  }
  return existsSync(CHROMIUM)
    ? null
    : `apt-get install -y chromium failed (exit ${status}); ${CHROMIUM} missing`;
}

describe('HTML report in headless Chromium', () => {
  let browser: BrowserContext;
  let userDir: string;
  let file: string;
  let findings = 0;

  beforeAll(async () => {
    const missing = ensureChromium();
    if (missing !== null) throw new Error(`the HTML report browser test needs Chromium: ${missing}`);
    userDir = mkdtempSync(join(tmpdir(), 'logsift-chromium-'));
    mkdirSync(OUT, { recursive: true });
    file = join(OUT, 'report.html');
    rmSync(file, { force: true });
    const dir = await replayDay(onsetDay(), 'html');
    const x = io();
    expect(
      await report.run(['--dir', dir, '-f', 'html', '--out', file, '--calico-version', 'v3.29.1'], x),
    ).toBe(0);
    const data = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(
      readFileSync(file, 'utf8'),
    );
    findings = (JSON.parse(data![1]!) as { findings: unknown[] }).findings.length;
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
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    if (userDir) rmSync(userDir, { recursive: true, force: true });
  });

  for (const width of [1280, 390] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`${width} px, ${scheme}: no console error, no horizontal scroll, findings first, charts drawn`, async () => {
        const page = await browser.newPage();
        await page.setViewportSize({ width, height: 900 });
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

        // Evaluated in the page (a string: this repo's tsconfig has no DOM lib).
        const layout = (await page.evaluate(`(() => {
          const over = [];
          for (const el of document.querySelectorAll('section, .finding, .scroll, table, figure, .card')) {
            const r = el.getBoundingClientRect();
            const box = el.parentElement.getBoundingClientRect();
            if (el.scrollWidth > el.clientWidth + 1 || r.right > box.right + 1 || r.right > window.innerWidth + 1)
              over.push((el.closest('section') ? el.closest('section').id + ':' : '') + (el.id || el.className || el.tagName) + ' ' + Math.round(r.width) + '/' + el.scrollWidth);
          }
          const first = document.querySelector('main > section');
          return {
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            over,
            firstSection: first ? first.id : null,
            findings: document.querySelectorAll('#findings .finding').length,
            findingCharts: [...document.querySelectorAll('#findings .finding svg rect')].filter((e) => e.getBoundingClientRect().height > 0).length,
            axisLabels: document.querySelectorAll('#findings .finding svg text.axis').length,
          };
        })()`)) as {
          scrollWidth: number;
          innerWidth: number;
          over: string[];
          firstSection: string | null;
          findings: number;
          findingCharts: number;
          axisLabels: number;
        };
        expect(layout.scrollWidth, 'page scrolls sideways').toBeLessThanOrEqual(layout.innerWidth);
        expect(layout.over, 'elements wider than their panel').toEqual([]);
        expect(layout.firstSection).toBe('findings');
        expect(findings).toBeGreaterThanOrEqual(5);
        expect(layout.findings).toBe(findings);
        expect(layout.findingCharts).toBeGreaterThan(findings);
        expect(layout.axisLabels).toBe(6 * findings);

        for (const id of ['chart-volume', 'chart-components', 'chart-top', 'chart-netlink', 'chart-tier']) {
          const box = await page.locator(`#${id} svg`).first().boundingBox();
          expect(box, id).not.toBeNull();
          expect(box!.width, id).toBeGreaterThan(width < 500 ? 250 : 400);
          expect(box!.height, id).toBeGreaterThan(15);
        }
        const marks = (await page.evaluate(`(() => {
          const sized = (sel) => [...document.querySelectorAll(sel)].filter((e) => {
            const r = e.getBoundingClientRect();
            return r.width > 0 && r.height > 0;
          }).length;
          return {
            volumeLines: sized('#chart-volume path.line'),
            componentBars: sized('#chart-components rect'),
            netlinkRects: sized('#chart-netlink rect'),
            tierRects: sized('#chart-tier rect'),
            data: JSON.parse(document.getElementById('report-data').textContent).totals.records_in,
          };
        })()`)) as Record<string, number>;
        expect(marks.volumeLines).toBe(2);
        expect(marks.componentBars).toBeGreaterThanOrEqual(2);
        expect(marks.netlinkRects).toBeGreaterThanOrEqual(2);
        expect(marks.tierRects).toBeGreaterThanOrEqual(2);
        expect(marks.data).toBeGreaterThan(0);
        const bg = await page.evaluate('getComputedStyle(document.body).backgroundColor');
        expect(bg).toBe(scheme === 'dark' ? 'rgb(17, 20, 26)' : 'rgb(247, 248, 250)');
        await page.screenshot({ path: join(OUT, `report-${width}-${scheme}.png`), fullPage: true });
        await page.click('#theme');
        expect(errors).toEqual([]);
        await page.close();
      });
    }
  }
});
