// The web page in headless Debian Chromium, served by `dfmt serve --web-root web/dist`: every shared vector through
// the page's own controls, files in and out, the error highlight, accessible names, offline use, and the proof
// that the page makes no request other than its own files. Run by scripts/web-test (node --test).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serve, browser, openPage, clickAndWait, ROOT, OUT, PAGE_FILES } from './harness.mjs';

const vectors = JSON.parse(await readFile(join(ROOT, 'tests/vectors/vectors.json'), 'utf8'));
const BUTTON = { format: 'Format', minify: 'Minify', convert: 'Convert', validate: 'Validate' };

let server;
let chrome;
let page;

before(async () => {
  await mkdir(OUT, { recursive: true });
  server = await serve();
  chrome = await browser({ permissions: ['clipboard-read', 'clipboard-write'] });
  page = chrome.page;
  page.on('pageerror', (e) => console.error('page error:', e));
  await openPage(page, server.url);
});

after(async () => {
  await chrome?.close();
  await server?.stop();
});

async function setControls({ input, from, to, options = {} }) {
  await page.getByLabel('Input', { exact: true }).fill(input);
  await page.getByLabel('From', { exact: true }).selectOption(from);
  if (to) await page.getByLabel('To', { exact: true }).selectOption(to);
  await page.getByLabel('Indent').selectOption(String(options.indent ?? 2));
  await page.getByLabel('Sort keys').setChecked(Boolean(options.sort_keys));
}

test('the page loads, with its security policy and accessible controls', async () => {
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /connect-src 'self'/);
  assert.match(await page.textContent('#version'), /^\d+\.\d+\.\d+/);
  for (const label of ['Input', 'Output', 'From', 'To']) {
    assert.equal(await page.getByLabel(label, { exact: true }).count(), 1, `one control labelled ${label}`);
  }
  for (const name of ['Format', 'Minify', 'Convert', 'Validate', 'Copy', 'Download', 'Open file']) {
    assert.equal(await page.getByRole('button', { name, exact: true }).count(), 1, `one button named ${name}`);
  }
  // Everything is reachable with the keyboard: Tab from the From selector reaches the action buttons.
  await page.getByLabel('From', { exact: true }).focus();
  const reached = new Set();
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    reached.add(await page.evaluate(() => document.activeElement?.textContent?.trim() || document.activeElement?.id));
  }
  for (const name of ['Format', 'Minify', 'Convert', 'Validate', 'Open file']) assert.ok(reached.has(name), `Tab reaches ${name}`);
});

test(`the page gives each of the ${vectors.length} shared vectors the CLI's result`, async () => {
  const failures = [];
  for (const vector of vectors) {
    await setControls(vector);
    await clickAndWait(page, BUTTON[vector.action]);
    const message = await page.textContent('#message');
    if (vector.error) {
      const { line, column, message: text, code } = vector.error;
      const expected = `Line ${line}, column ${column}: ${text}`;
      const shownCode = await page.getAttribute('#message', 'data-code');
      if (shownCode !== code) failures.push(`${vector.name}: expected code ${code}, got ${shownCode}`);
      const highlighted = await page.getAttribute('#editor', 'data-error-line');
      const gutterError = await page.locator('#gutter .error-line').allTextContents();
      const band = await page.isVisible('#error-band');
      if (!message.startsWith(expected) || highlighted !== String(line) || !band || gutterError.join() !== String(line)) {
        failures.push(`${vector.name}: expected "${expected}" on line ${line}; got "${message}", line ${highlighted}, gutter ${gutterError}, band ${band}`);
      }
    } else if (vector.action === 'validate') {
      if (!message.startsWith('Valid ')) failures.push(`${vector.name}: expected valid, got "${message}"`);
    } else {
      const output = await page.getByLabel('Output', { exact: true }).inputValue();
      if (output !== vector.output) failures.push(`${vector.name}: expected\n${vector.output}\ngot\n${output}\n(${message})`);
    }
  }
  assert.deepEqual(failures, []);
});

test('a broken input highlights its line and shows the message', async () => {
  const lines = ['{', '  "name": "dfmt",'];
  for (let i = 0; i < 40; i++) lines.push(`  "key${i}": ${i},`);
  lines.push('  "private": true', '  "x": 1', '}');
  await setControls({ input: lines.join('\n'), from: 'json' });
  await clickAndWait(page, 'Format');
  assert.equal(await page.textContent('#message'), "Line 44, column 3: expected ',' or '}' after object entry, found '\"'");
  assert.equal(await page.getAttribute('#editor', 'data-error-line'), '44');
  // The error line was scrolled into view: its number is drawn, marked, next to the band.
  const mark = await page.locator('#gutter .error-line').boundingBox();
  const band = await page.locator('#error-band').boundingBox();
  assert.ok(mark && band && Math.abs(mark.y - band.y) < 2, `gutter mark ${JSON.stringify(mark)} and band ${JSON.stringify(band)} align`);
  // The caret stands on the error.
  const caret = await page.$eval('#input', (t) => t.value.slice(0, t.selectionStart).split('\n').length);
  assert.equal(caret, 44);
  await page.screenshot({ path: join(OUT, 'page-error.png') });
  // Editing clears the highlight.
  await page.getByLabel('Input', { exact: true }).press('End');
  await page.getByLabel('Input', { exact: true }).type(' ');
  await page.waitForFunction(() => document.getElementById('editor').dataset.errorLine === '');
  assert.equal(await page.isVisible('#error-band'), false);
});

test('open file, convert, copy and download', async () => {
  const yaml = 'server:\n  port: 8080\n  hosts: [a, b]\n';
  await page.locator('#file').setInputFiles({ name: 'config.yaml', mimeType: 'application/yaml', buffer: Buffer.from(yaml) });
  await page.waitForFunction(() => document.getElementById('input').value.startsWith('server:'));
  assert.equal(await page.getByLabel('From', { exact: true }).inputValue(), 'yaml');
  await page.getByLabel('To', { exact: true }).selectOption('json');
  await page.getByLabel('Indent').selectOption('2');
  await page.getByLabel('Sort keys').setChecked(false);
  await clickAndWait(page, 'Convert');
  const json = '{\n  "server": {\n    "port": 8080,\n    "hosts": [\n      "a",\n      "b"\n    ]\n  }\n}\n';
  assert.equal(await page.getByLabel('Output', { exact: true }).inputValue(), json);

  await page.getByRole('button', { name: 'Copy', exact: true }).click();
  await page.waitForFunction(() => document.getElementById('message').textContent === 'Copied the output.');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), json);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download', exact: true }).click()]);
  assert.equal(download.suggestedFilename(), 'config.json');
  assert.equal(await readFile(await download.path(), 'utf8'), json);
});

test('a file dropped on the input opens it', async () => {
  await page.evaluate(() => {
    const data = new DataTransfer();
    data.items.add(new File(['b = 1\n[t]\na   =  2\n'], 'settings.toml', { type: 'application/toml' }));
    const editor = document.getElementById('editor');
    for (const type of ['dragenter', 'dragover', 'drop']) {
      editor.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
  });
  await page.waitForFunction(() => document.getElementById('input').value.startsWith('b = 1'));
  assert.equal(await page.getByLabel('From', { exact: true }).inputValue(), 'toml');
  assert.equal(await page.isVisible('#drop-hint'), false);
  await clickAndWait(page, 'Format');
  assert.equal(await page.getByLabel('Output', { exact: true }).inputValue(), 'b = 1\n[t]\na = 2\n');
  await page.screenshot({ path: join(OUT, 'page.png') });
});

test('a 20 MB file opens, formats and fails without freezing the page', async () => {
  const records = [];
  for (let i = 0; records.join(',').length < 20e6 && i < 1e6; i += 1000) {
    for (let j = i; j < i + 1000; j++) records.push(JSON.stringify({ id: j, name: `item ${j}`, tags: ['a', 'é'], value: j * 1.5, ok: j % 2 === 0 }));
  }
  const good = `[\n${records.join(',\n')}\n]\n`;
  // The worst gap between two timer ticks on the page's main thread, from before the file is opened to the end.
  await page.evaluate(() => {
    window.__worst = 0;
    let last = performance.now();
    window.__ticker = setInterval(() => {
      const now = performance.now();
      window.__worst = Math.max(window.__worst, now - last - 10);
      last = now;
    }, 10);
  });
  // From disk: a buffer would be turned into a File by script on the page's main thread, which is the harness's
  // cost, not the page's.
  const bigPath = join(OUT, 'big.json');
  const brokenPath = join(OUT, 'broken.json');
  await writeFile(bigPath, good);
  const lines = good.split('\n');
  const broken = lines.length - 5;
  lines[broken - 1] = lines[broken - 1].replace('"ok"', '"ok" "');
  await writeFile(brokenPath, lines.join('\n'));
  await page.locator('#file').setInputFiles(bigPath);
  await page.waitForSelector('#input-view:not([hidden])');
  // The large text is shown in the viewer, which the label "Input" now names.
  assert.equal(await page.getByLabel('Input', { exact: true }).getAttribute('id'), 'input-view');
  assert.match(await page.textContent('#large-input-text'), /^Large input \(2\d\.\d MB\)/);
  await page.getByLabel('Indent').selectOption('2');
  await page.getByLabel('Sort keys').setChecked(false);
  await clickAndWait(page, 'Format');
  assert.match(await page.textContent('#message'), /^Formatted JSON: /);
  assert.equal(await page.getByLabel('Output', { exact: true }).getAttribute('id'), 'output-view');
  const rows = await page.locator('#output-view .viewer-rows > div').allTextContents();
  assert.deepEqual(rows.slice(0, 3), ['1[', '2  {', '3    "id": 0,']);

  // A broken record near the end: the error line is marked in the viewer and scrolled into view.
  await page.locator('#file').setInputFiles(brokenPath);
  await page.waitForFunction(() => document.getElementById('message').textContent.startsWith('Opened broken.json'));
  await clickAndWait(page, 'Validate');
  assert.match(await page.textContent('#message'), new RegExp(`^Line ${broken}, column \\d+: expected ':'`));
  assert.equal(await page.getAttribute('#editor', 'data-error-line'), String(broken));
  assert.equal(await page.textContent('#input-view .error-line .ln'), String(broken));
  await page.screenshot({ path: join(OUT, 'page-large-error.png') });

  const worst = await page.evaluate(() => {
    clearInterval(window.__ticker);
    return window.__worst;
  });
  console.log(`# longest main-thread pause while opening, formatting and validating 20 MB: ${worst.toFixed(0)} ms`);
  assert.ok(worst < 1000, `the page froze for ${worst} ms`);

  await rm(bigPath);
  await rm(brokenPath);

  // Back to a small input: the textarea returns, labelled "Input" again.
  assert.ok(await page.getByRole('button', { name: 'Edit as text', exact: true }).isVisible());
  await page.locator('#file').setInputFiles({ name: 'small.json', mimeType: 'application/json', buffer: Buffer.from('{"a":1}') });
  await page.waitForSelector('#input:not([hidden])');
  assert.equal(await page.getByLabel('Input', { exact: true }).getAttribute('id'), 'input');
});

test('a large paste goes to the viewer', async () => {
  await page.getByLabel('Input', { exact: true }).fill('');
  const lines = await page.evaluate(() => {
    const text = Array.from({ length: 30000 }, (_, i) => `- item ${i}`).join('\n');
    const data = new DataTransfer();
    data.setData('text/plain', text);
    document.getElementById('input').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    return 30000;
  });
  await page.waitForSelector('#input-view:not([hidden])');
  await page.getByLabel('From', { exact: true }).selectOption('yaml');
  await page.getByLabel('To', { exact: true }).selectOption('json');
  await clickAndWait(page, 'Convert');
  assert.match(await page.textContent('#message'), /^Converted YAML to JSON: /);
  const rows = await page.locator('#output-view .viewer-rows > div').allTextContents();
  assert.equal(rows[1], '2  "item 0",');
  assert.ok(lines === 30000);
  await page.getByRole('button', { name: 'Clear', exact: true }).click();
  await page.waitForSelector('#input:not([hidden])');
  assert.equal(await page.getByLabel('Input', { exact: true }).inputValue(), '');
});

test('a JSON Schema pasted into the page checks the input, every violation listed, nothing fetched but its own files', async () => {
  const schemaRequests = () => chrome.requests.filter((r) => r.url.includes('dfmt_schema')).length;
  await setControls({ input: 'name: web\nport: "80"\nextra: 1\n', from: 'yaml' });
  await clickAndWait(page, 'Validate');
  assert.match(await page.textContent('#message'), /^Valid YAML \(/);
  assert.equal(schemaRequests(), 0, 'the schema build is not fetched before a schema is given');

  await page.getByText('JSON Schema', { exact: true }).click();
  const schema = 'type: object\nadditionalProperties: false\nproperties:\n  name: {type: string}\n  port: {type: integer}\n';
  await page.getByLabel('Schema', { exact: true }).fill(schema);
  await clickAndWait(page, 'Validate');
  const message = await page.textContent('#message');
  assert.ok(message.startsWith('2 violations of the schema'), message);
  assert.match(message, /Line 2, column 7: "80" is not of type "integer" \(at port\)/);
  const listed = await page.locator('#violations button').allTextContents();
  assert.deepEqual(listed, [
    'Line 2, column 7: "80" is not of type "integer" (at port)',
    "Line 3, column 1: Additional properties are not allowed ('extra' was unexpected)",
  ]);
  assert.equal(await page.getAttribute('#editor', 'data-error-line'), '2');
  await page.locator('#violations button').nth(1).click();
  assert.equal(await page.getAttribute('#editor', 'data-error-line'), '3');
  assert.ok(schemaRequests() > 0, 'the schema build was fetched');

  // Valid against the schema; a schema that cannot be used says so without pointing into the input.
  await page.getByLabel('Input', { exact: true }).fill('name: web\nport: 80\n');
  await clickAndWait(page, 'Validate');
  assert.match(await page.textContent('#message'), /^Valid YAML, and it matches the schema \(/);
  assert.equal(await page.isVisible('#violations'), false);
  await page.getByLabel('Schema', { exact: true }).fill('{"$ref": "https://example.com/s.json"}');
  await clickAndWait(page, 'Validate');
  assert.match(await page.textContent('#message'), /^The schema: .*not fetched/);
  assert.equal(await page.getAttribute('#message', 'data-code'), 'schema_error');
  assert.equal(await page.getAttribute('#editor', 'data-error-line'), '');
  await page.getByRole('button', { name: 'Clear schema', exact: true }).click();
  await clickAndWait(page, 'Validate');
  assert.match(await page.textContent('#message'), /^Valid YAML \(/);
});

test('it keeps working offline once loaded', async () => {
  await chrome.context.setOffline(true);
  try {
    await setControls({ input: '{"offline":true}', from: 'json' });
    await clickAndWait(page, 'Minify');
    assert.equal(await page.getByLabel('Output', { exact: true }).inputValue(), '{"offline":true}\n');
  } finally {
    await chrome.context.setOffline(false);
  }
});

test('the page made no request other than its own files', async () => {
  const origin = new URL(server.url).origin;
  const network = chrome.requests.filter((r) => !r.url.startsWith('blob:') && !r.url.startsWith('data:'));
  const foreign = network.filter((r) => new URL(r.url).origin !== origin || !PAGE_FILES.includes(new URL(r.url).pathname));
  assert.deepEqual(foreign.map((r) => r.url), [], 'requests outside the page');
  const failed = network.filter((r) => r.status !== null && r.status !== 200 && r.status !== 304);
  assert.deepEqual(failed.map((r) => `${r.url} ${r.status}`), [], 'failed requests');
  // The page's files were all fetched, the wasm by the worker.
  const paths = new Set(network.map((r) => new URL(r.url).pathname));
  for (const file of PAGE_FILES) assert.ok(paths.has(file), `${file} was loaded (${[...paths]})`);
  assert.ok(network.every((r) => r.method === 'GET'), 'only GET requests');
});
