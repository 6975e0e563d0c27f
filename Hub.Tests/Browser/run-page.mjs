// Opens one page in Debian's headless Chromium and prints what the page reports.
//
//   node run-page.mjs <url> <timeoutMs> [screenshotPath]
//
// The page signals it is finished by setting `window.__done = true`; its `window.__result` is then
// printed to stdout as one line of JSON. Exit codes: 0 done, 2 timed out (after printing whatever
// __result holds), 1 anything else (bad arguments, launch or navigation failure).
// Page errors and console messages go to stderr so a failing test can show them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

// Without the background-networking switches Chromium's own connections are refused on a closed
// network, and the page's connections with them.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const [url, timeoutArg, screenshotPath] = process.argv.slice(2);
const timeout = Number(timeoutArg);
if (!url || !Number.isFinite(timeout) || timeout <= 0) {
  console.error('usage: node run-page.mjs <url> <timeoutMs> [screenshotPath]');
  process.exit(1);
}

// A fresh profile per run: nothing carries over between tests.
const profile = mkdtempSync(join(tmpdir(), 'realtimehub-chromium-'));
const deadline = Date.now() + timeout;
const remaining = () => Math.max(1, deadline - Date.now());

// A page stuck in a busy loop never answers evaluate(): give up well after the page's own timeout.
setTimeout(() => {
  console.error(`run-page: still running ${timeout} ms + 30 s after start; giving up`);
  process.exit(2);
}, timeout + 30_000).unref();

let exitCode = 0;
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => console.error(`[pageerror] ${error.message}`));
  page.on('console', (message) => console.error(`[console.${message.type()}] ${message.text()}`));

  try {
    await page.goto(url, { timeout: remaining() });
    await page.waitForFunction(() => window.__done === true, null, { timeout: remaining() });
  } catch (error) {
    if (error?.name !== 'TimeoutError') {
      throw error;
    }

    console.error(`timed out after ${timeout} ms waiting for window.__done at ${url}`);
    exitCode = 2;
  }

  if (screenshotPath) {
    await page.screenshot({ path: screenshotPath, fullPage: true });
  }

  const result = await page.evaluate(() => JSON.stringify(window.__result ?? null));
  process.stdout.write(`${result}\n`);
} catch (error) {
  console.error(error?.stack ?? String(error));
  exitCode = 1;
} finally {
  await context?.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}

process.exit(exitCode);
