// Shared by the browser tests and the benchmark: serve web/dist with `dfmt serve`, drive Debian's Chromium with
// playwright-core (no browser download), and record every request the page makes.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = join(ROOT, 'web/dist');
export const OUT = join(ROOT, 'web/test-output');

/** The files the page is made of: the only requests it may make. */
export const PAGE_FILES = [
  '/', '/style.css', '/app.js', '/worker.js', '/dfmt_wasm.js', '/dfmt_wasm_bg.wasm',
  // The JSON Schema build, fetched only when a schema is first used.
  '/dfmt_schema.js', '/dfmt_schema_bg.wasm',
];

/**
 * Starts `dfmt serve --web-root web/dist` on a free loopback port and resolves to { url, stop }. The binary is
 * $DFMT_BIN, else debug/dfmt in $CARGO_TARGET_DIR or target/ (scripts/web-test builds it).
 */
export async function serve() {
  const target = resolve(ROOT, process.env.CARGO_TARGET_DIR || 'target');
  const bin = process.env.DFMT_BIN || join(target, 'debug/dfmt');
  const child = spawn(bin, ['serve', '--web-root', DIST, '--listen', '127.0.0.1:0'], {
    env: { ...process.env, RUST_LOG: 'info', NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const url = await new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`dfmt serve did not report its address:\n${log}`)), 15000);
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`dfmt serve exited (${code}):\n${log}`)));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      log += chunk;
      // eslint-disable-next-line no-control-regex
      const match = log.replace(/\x1b\[[0-9;]*m/g, '').match(/address=(\S+)/);
      if (match) {
        clearTimeout(timer);
        resolvePromise(`http://${match[1]}`);
      }
    });
  });
  const stop = () =>
    new Promise((done) => {
      if (child.exitCode !== null) return done();
      child.once('exit', done);
      child.kill('SIGTERM');
    });
  return { url, stop, log: () => log };
}

/** The flags the project's browser runs use (see ../shared/TOOLCHAIN.md). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches headless Chromium with a fresh user-data dir. Resolves to { context, page, requests, close }; every
 * request of the context (page and workers) is recorded in `requests` as { url, method, status }.
 */
export async function browser(options = {}) {
  const userDataDir = await mkdtemp(join(tmpdir(), 'dfmt-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    ...options,
  });
  const requests = [];
  context.on('request', (request) => requests.push({ url: request.url(), method: request.method(), status: null, request }));
  context.on('requestfinished', async (request) => {
    const entry = requests.find((r) => r.request === request);
    const response = await request.response().catch(() => null);
    if (entry && response) entry.status = response.status();
  });
  context.on('requestfailed', (request) => {
    const entry = requests.find((r) => r.request === request);
    if (entry) entry.status = `failed: ${request.failure()?.errorText}`;
  });
  const page = context.pages()[0] || (await context.newPage());
  const close = async () => {
    await context.close();
    await rm(userDataDir, { recursive: true, force: true });
  };
  return { context, page, requests, close };
}

/** Opens the page and waits until the worker has loaded the wasm. */
export async function openPage(page, url) {
  await page.goto(url + '/');
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
}

/** Clicks an action's button and waits until the page has finished it. */
export async function clickAndWait(page, name) {
  const before = Number((await page.getAttribute('body', 'data-done')) || 0);
  await page.getByRole('button', { name, exact: true }).click();
  await page.waitForFunction((n) => Number(document.body.dataset.done || 0) > n, before, { timeout: 60000 });
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
