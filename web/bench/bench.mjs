// The web page's performance figures, measured in headless Debian Chromium (scripts/web-bench; not a test):
// - formatting a 5 MB JSON file in the page (the worker round trip, and the wasm call alone inside the worker)
//   against JSON.stringify(JSON.parse(text), null, 2) on the same page;
// - the first load of the page from localhost (fresh browser profile each time: nothing cached);
// - the .wasm size, raw and gzip.
// RUNS (default 7) runs each, interleaved; medians reported.

import { readFile, stat, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { serve, browser, openPage, median, ROOT, DIST } from '../tests/harness.mjs';

const RUNS = Number(process.env.RUNS || 7);
const shared = process.env.DFMT_SHARED || join(ROOT, '../shared');

async function input5mb() {
  const files = ['citm_catalog.json', 'gsoc-2018.json'].map((f) => join(shared, 'bench-data/json', f));
  if (files.every(existsSync)) {
    const parts = await Promise.all(files.map((f) => readFile(f, 'utf8')));
    return { text: `[${parts.join(',')}]`, what: 'citm_catalog.json and gsoc-2018.json in one array' };
  }
  const items = [];
  for (let i = 0; items.length < 40000; i++) {
    items.push({ id: i, name: `item ${i}`, tags: ['alpha', 'beta'], price: i * 1.25, ok: i % 2 === 0, nested: { a: [i, i + 1], b: null } });
  }
  return { text: JSON.stringify(items), what: 'generated records (../shared not found)' };
}

const fmt = (ms) => `${ms.toFixed(1)} ms`;

const server = await serve();
try {
  // ---- Size ----
  const wasm = await readFile(join(DIST, 'dfmt_wasm_bg.wasm'));
  const gz = gzipSync(wasm, { level: 9 }).length;
  const pageBytes = (await Promise.all(['index.html', 'app.js', 'worker.js', 'style.css', 'dfmt_wasm.js'].map((f) => stat(join(DIST, f))))).reduce((n, s) => n + s.size, 0);

  // ---- First load, cold ----
  const loads = [];
  const domReady = [];
  for (let i = 0; i < RUNS; i++) {
    const chrome = await browser();
    try {
      await openPage(chrome.page, server.url);
      const t = await chrome.page.evaluate(() => ({
        ready: Number(document.body.dataset.readyAt),
        dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
      }));
      loads.push(t.ready);
      domReady.push(t.dcl);
    } finally {
      await chrome.close();
    }
  }

  // ---- Formatting 5 MB ----
  const { text, what } = await input5mb();
  const chrome = await browser();
  let results;
  try {
    await openPage(chrome.page, server.url);
    results = await chrome.page.evaluate(
      async ({ text, runs }) => {
        const bytes = new TextEncoder().encode(text);
        const r = { file: [], text: [], wasmOnly: [], native: [], outputBytes: 0 };
        const once = async () => {
          // As after "Open file": the file's bytes go to the worker; the output comes back as a string.
          let t = performance.now();
          let reply = await window.dfmt.run({ action: 'format', input: bytes, from: 'json', options: { indent: 2 } });
          r.file.push(performance.now() - t);
          r.wasmOnly.push(reply.wasmMs);
          if (!reply.ok) throw new Error(reply.error.message);
          r.outputBytes = reply.output.length;
          // A string, encoded on every call (the page does this only for text under 1 MB in its textarea).
          t = performance.now();
          reply = await window.dfmt.run({ action: 'format', input: text, from: 'json', options: { indent: 2 } });
          r.text.push(performance.now() - t);
          t = performance.now();
          const out = JSON.stringify(JSON.parse(text), null, 2);
          r.native.push(performance.now() - t);
          if (!out.length || !reply.ok) throw new Error('no output');
        };
        await once(); // warm-up: compile tiers, grow memory
        for (const k of ['file', 'text', 'wasmOnly', 'native']) r[k].length = 0;
        for (let i = 0; i < runs; i++) await once();
        return r;
      },
      { text, runs: RUNS },
    );
    // The whole page: the file opened with "Open file", then the Format button, to the result drawn in the viewer.
    const path = join(tmpdir(), `dfmt-bench-${process.pid}.json`);
    await writeFile(path, text);
    await chrome.page.locator('#file').setInputFiles(path);
    await chrome.page.waitForFunction(() => document.getElementById('message').textContent.startsWith('Opened'));
    await rm(path);
    results.click = await chrome.page.evaluate(async (runs) => {
      const button = document.getElementById('format');
      const once = () =>
        new Promise((resolve) => {
          const before = Number(document.body.dataset.done || 0);
          const t = performance.now();
          const observer = new MutationObserver(() => {
            if (Number(document.body.dataset.done) > before) {
              observer.disconnect();
              // The next frame: the result has been drawn.
              requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t), 0));
            }
          });
          observer.observe(document.body, { attributes: true, attributeFilter: ['data-done'] });
          button.click();
        });
      await once();
      const times = [];
      for (let i = 0; i < runs; i++) times.push(await once());
      return times;
    }, RUNS);
  } finally {
    await chrome.close();
  }

  const fileMs = median(results.file);
  const textMs = median(results.text);
  const wasmMs = median(results.wasmOnly);
  const nativeMs = median(results.native);
  const mb = text.length / 1e6;
  console.log(`Input: ${mb.toFixed(2)} MB JSON (${what}); output ${(results.outputBytes / 1e6).toFixed(2)} MB. Median of ${RUNS} interleaved runs after one warm-up, headless Chromium.`);
  console.log('');
  console.log('| measure | median | MB/s | runs (ms) |');
  console.log('| --- | ---: | ---: | --- |');
  const row = (name, ms, all) => console.log(`| ${name} | ${fmt(ms)} | ${(mb / (ms / 1000)).toFixed(0)} | ${all.map((x) => x.toFixed(0)).join(', ')} |`);
  row('page: an opened file formatted (bytes to the worker, wasm, bytes back, decoded to a string)', fileMs, results.file);
  row('page: a string formatted (encoded to UTF-8 on each call, then as above; the page itself encodes a large paste once, on arrival)', textMs, results.text);
  row('wasm `format_bytes` call alone, inside the worker', wasmMs, results.wasmOnly);
  row('the page: Format clicked on the opened file, to the result drawn (not interleaved)', median(results.click), results.click);
  row('`JSON.stringify(JSON.parse(text), null, 2)` on the page', nativeMs, results.native);
  console.log('');
  console.log(`Ratio JSON.stringify ÷ page (file): ${(nativeMs / fileMs).toFixed(2)}× (target ≥ 1×); ÷ page (text): ${(nativeMs / textMs).toFixed(2)}×; ÷ wasm call alone: ${(nativeMs / wasmMs).toFixed(2)}× (ratios of the medians)`);
  // Each run measures the page and JSON.stringify back to back, so a run's ratio is the least disturbed by other
  // load on the machine.
  const paired = (xs) => median(results.native.map((n, i) => n / xs[i]));
  console.log(`Median of the per-run ratios: JSON.stringify ÷ page (file) ${paired(results.file).toFixed(2)}×; ÷ page (text) ${paired(results.text).toFixed(2)}×; ÷ wasm call alone ${paired(results.wasmOnly).toFixed(2)}×`);
  console.log(`First load (navigation start → wasm ready in the worker), fresh profile: median ${fmt(median(loads))} (target < 1000 ms); DOMContentLoaded ${fmt(median(domReady))}; runs: ${loads.map((x) => x.toFixed(0)).join(', ')}`);
  console.log(`dfmt_wasm_bg.wasm: ${wasm.length} bytes (${(wasm.length / 1024).toFixed(1)} KiB) raw, ${gz} bytes (${(gz / 1024).toFixed(1)} KiB) gzip -9 (target < 400 KB); the page's other files: ${pageBytes} bytes`);
} finally {
  await server.stop();
}
