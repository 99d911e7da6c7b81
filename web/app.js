// dfmt's web page: the user interface. All the work (WebAssembly) runs in worker.js, so a large input never
// freezes the page. No framework, no network: the page fetches nothing but its own files.
//
// Text up to LARGE_CHARS characters and LARGE_LINES lines is shown in plain textareas. Larger text (an opened or
// pasted file, or a large result) is shown in a Viewer, which draws only the lines in sight: Chromium needs
// seconds to lay out a textarea holding half a million lines, whereas the work itself takes milliseconds.

const $ = (id) => document.getElementById(id);
const input = $('input');
const output = $('output');
const from = $('from');
const to = $('to');
const indent = $('indent');
const sortKeys = $('sort-keys');
const message = $('message');
const gutter = $('gutter');
const gutterLines = $('gutter-lines');
const errorBand = $('error-band');
const editor = $('editor');
const fileInput = $('file');

const LARGE_CHARS = 1 << 20;
const LARGE_LINES = 20000;
const EXTENSIONS = { json: 'json', jsonc: 'jsonc', ndjson: 'ndjson', jsonl: 'ndjson', yaml: 'yaml', yml: 'yaml', toml: 'toml' };
const NAMES = { json: 'JSON', jsonc: 'JSONC', ndjson: 'NDJSON', yaml: 'YAML', toml: 'TOML' };
const MEDIA = {
  json: 'application/json', jsonc: 'application/json', ndjson: 'application/x-ndjson', yaml: 'application/yaml',
  toml: 'application/toml',
};

// ---- The worker ----

let worker;
let ready;
let nextId = 1;
const pending = new Map();

function startWorker() {
  worker = new Worker(new URL('worker.js', import.meta.url), { type: 'module' });
  ready = new Promise((resolve, reject) => {
    pending.set(0, { resolve, reject });
  });
  worker.onmessage = (event) => {
    const reply = event.data;
    const job = pending.get(reply.id);
    if (!job) return;
    pending.delete(reply.id);
    job.resolve(reply);
  };
  worker.onerror = (event) => {
    event.preventDefault();
    for (const job of pending.values()) job.resolve({ ok: false, internal: true, error: { message: event.message || 'the worker failed' } });
    pending.clear();
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Runs one job in the worker: resolves to { ok, output?, error?, ms, wasmMs }. `job.input` is a string, or UTF-8
 * bytes (a Uint8Array, e.g. an opened file's own bytes: then nothing is encoded). The input goes over as bytes,
 * transferred without a copy, and the output comes back the same way; only the result is decoded to a string.
 */
async function run(job) {
  const hello = await ready;
  if (!hello.ok) return hello;
  const started = performance.now();
  const id = nextId++;
  // The input goes over as bytes in a buffer of its own, transferred (moved, not copied). encodeInto is about
  // twice as fast as encode; its buffer needs room for three bytes per UTF-16 unit at worst.
  let input;
  if (typeof job.input === 'string') {
    const buffer = new Uint8Array(job.input.length * 3);
    input = buffer.subarray(0, encoder.encodeInto(job.input, buffer).written);
  } else {
    input = job.input.slice();
  }
  const reply = new Promise((resolve) => pending.set(id, { resolve }));
  worker.postMessage({ ...job, id, input }, [input.buffer]);
  const posted = performance.now();
  const result = await reply;
  const arrived = performance.now();
  if (result.internal) {
    // A trap (a bug) may leave the module in a bad state: start a fresh worker for the next job.
    worker.terminate();
    startWorker();
  }
  if (result.ok) {
    result.bytes = result.output.byteLength;
    result.output = decoder.decode(result.output);
  }
  const origin = performance.timeOrigin;
  // Where the time went, for scripts/web-bench.
  result.phases = { encode: posted - started, toWorker: result.receivedAt - origin - posted, worker: result.ms, back: arrived - (result.sentAt - origin), decode: performance.now() - arrived };
  result.wasmMs = result.ms;
  result.ms = performance.now() - started;
  return result;
}

// The API the page's own tests and benchmark use, and anyone in the console: dfmt.run({action, input, ...}).
window.dfmt = { run, ready: () => ready };

// ---- Text helpers ----

/** Offsets of the starts of lines in `text`. */
function lineStarts(text) {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function isLarge(text) {
  if (text.length > LARGE_CHARS) return true;
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1 && lines <= LARGE_LINES; i = text.indexOf('\n', i + 1)) lines++;
  return lines > LARGE_LINES;
}

/** The offset of `column` (1-based, in characters) on the line starting at `start`. */
function offsetOf(text, start, column) {
  let offset = start;
  for (let c = 1; c < column && offset < text.length && text[offset] !== '\n'; c++) {
    offset += text.codePointAt(offset) > 0xffff ? 2 : 1;
  }
  return offset;
}

function escapeHtml(s) {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function size(n) {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} bytes`;
}

// ---- The viewer for large text: line numbers, only the visible lines drawn, an error line marked ----

const MAX_SHOWN_CHARS = 4000; // of one line; a minified file is one long line
const MAX_SCROLL_PX = 8_000_000; // below the browsers' limits on an element's height

class Viewer {
  constructor(root) {
    this.root = root;
    this.spacer = root.querySelector('.viewer-spacer');
    this.rows = root.querySelector('.viewer-rows');
    this.text = '';
    this.starts = [0];
    this.mark = 0;
    this.lineHeight = 20;
    root.addEventListener('scroll', () => this.draw());
  }

  get lines() {
    return this.starts.length;
  }

  set(text) {
    this.text = text;
    this.starts = lineStarts(text);
    this.mark = 0;
    this.root.scrollTop = 0;
    this.spacer.style.height = `${Math.min(this.lines * this.lineHeight, MAX_SCROLL_PX)}px`;
    this.draw();
  }

  line(n) {
    const start = this.starts[n - 1];
    let end = n < this.lines ? this.starts[n] - 1 : this.text.length;
    if (this.text[end - 1] === '\r') end--;
    return end - start > MAX_SHOWN_CHARS ? `${this.text.slice(start, start + MAX_SHOWN_CHARS)} …` : this.text.slice(start, end);
  }

  /** The first line in view: scroll position maps onto lines proportionally when the text is very long. */
  firstLine() {
    const { scrollTop, clientHeight, scrollHeight } = this.root;
    const visible = Math.floor(clientHeight / this.lineHeight);
    if (this.lines * this.lineHeight <= MAX_SCROLL_PX) return Math.floor(scrollTop / this.lineHeight) + 1;
    const fraction = scrollTop / Math.max(1, scrollHeight - clientHeight);
    return Math.floor(fraction * Math.max(0, this.lines - visible)) + 1;
  }

  draw() {
    if (this.root.hidden) return;
    const first = this.firstLine();
    const last = Math.min(this.lines, first + Math.ceil(this.root.clientHeight / this.lineHeight) + 1);
    const digits = String(this.lines).length;
    let html = '';
    for (let n = first; n <= last; n++) {
      const cls = n === this.mark ? ' class="error-line"' : '';
      html += `<div${cls}><span class="ln">${n}</span>${escapeHtml(this.line(n))}</div>`;
    }
    this.rows.style.setProperty('--digits', String(digits + 1)); // (style attributes are refused by the CSP)
    this.rows.innerHTML = html;
    this.rows.style.transform = `translateY(${this.root.scrollTop}px)`;
  }

  scrollToLine(n) {
    const visible = Math.floor(this.root.clientHeight / this.lineHeight);
    const target = Math.max(1, n - Math.floor(visible / 3));
    const { clientHeight, scrollHeight } = this.root;
    this.root.scrollTop = this.lines * this.lineHeight <= MAX_SCROLL_PX
      ? (target - 1) * this.lineHeight
      : ((target - 1) / Math.max(1, this.lines - visible)) * (scrollHeight - clientHeight);
    this.draw();
  }

  setMark(n) {
    this.mark = n;
    this.draw();
  }
}

const inputView = new Viewer($('input-view'));
const outputView = new Viewer($('output-view'));

// ---- The input: a textarea, or the viewer for a large text ----

// The large input shown in the viewer, while there is one: its text, and its UTF-8 bytes when it came from a file.
let large = null;
// The input as UTF-8, while the page still shows exactly that text: an opened file's own bytes, or a large paste
// encoded once when it arrives. They go to the worker as they are, so an action on a large input encodes nothing.
let inputBytes = null;
// Bumped on every change of the input, so that an answer for an older input is dropped.
let inputVersion = 0;

function inputText() {
  return large ? large.text : input.value;
}

function showLargeInput(text, bytes) {
  large = { text, bytes };
  input.value = '';
  gutter.hidden = true;
  showViewer('input', true);
  $('large-input').hidden = false;
  $('large-input-text').textContent = `Large input (${size(bytes ? bytes.length : text.length)}), shown read-only.`;
  inputView.set(text);
}

function showTextInput(text) {
  large = null;
  showViewer('input', false);
  $('large-input').hidden = true;
  gutter.hidden = false;
  input.value = text;
}

/** Puts `text` in the input (a file's `bytes` too, when they are exactly that text). */
function setInput(text, bytes) {
  inputVersion++;
  clearError();
  if (isLarge(text)) {
    showLargeInput(text, bytes);
  } else {
    showTextInput(text);
    input.scrollTop = 0;
    countLines();
    drawGutter();
  }
  inputBytes = bytes || (large ? encoder.encode(text) : null);
}

$('edit-large').addEventListener('click', () => {
  const text = large.text;
  const bytes = inputBytes;
  showTextInput(text);
  inputBytes = bytes;
  countLines();
  drawGutter();
  input.focus();
});

$('clear-large').addEventListener('click', () => {
  fileName = '';
  setInput('', null);
  input.focus();
});

// A large paste goes to the viewer instead of the textarea, which would take seconds to lay it out.
function onPaste(event) {
  const text = event.clipboardData && event.clipboardData.getData('text/plain');
  // Into the textarea, a small paste is the textarea's business; into the viewer, any paste replaces its text.
  if (text && (large || (input.value.length === 0 && isLarge(text)))) {
    event.preventDefault();
    fileName = '';
    setInput(text, null);
    setMessage(`Pasted ${size(text.length)}.`, '');
  }
}
input.addEventListener('paste', onPaste);
$('input-view').addEventListener('paste', onPaste);

// ---- Line numbers and the error line (textarea) ----

let lineHeight = 20;
let lineCount = 1;
let errorLine = 0;
let lineCountQueued = false;

function countLines() {
  let n = 1;
  const text = input.value;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  lineCount = n;
}

// Only the visible line numbers are drawn.
function drawGutter() {
  if (large) return;
  const top = input.scrollTop;
  const first = Math.floor(top / lineHeight);
  const visible = Math.ceil(input.clientHeight / lineHeight) + 1;
  const last = Math.min(lineCount, first + visible);
  let html = '';
  for (let n = first + 1; n <= last; n++) {
    html += n === errorLine ? `<div class="error-line">${n}</div>` : `<div>${n}</div>`;
  }
  gutterLines.innerHTML = html;
  gutterLines.style.transform = `translateY(${first * lineHeight - top}px)`;
  const digits = String(lineCount).length;
  gutter.style.width = `${Math.max(3, digits) + 1.5}ch`;
  if (errorLine) {
    errorBand.style.transform = `translateY(${(errorLine - 1) * lineHeight - top}px)`;
  }
}

function onTextChange() {
  inputBytes = null;
  inputVersion++;
  clearError();
  if (lineCountQueued) return;
  lineCountQueued = true;
  requestAnimationFrame(() => {
    lineCountQueued = false;
    countLines();
    drawGutter();
  });
}

function showError(error) {
  const where = error.line ? `Line ${error.line}, column ${error.column}: ` : '';
  const path = error.path ? ` (at ${error.path})` : '';
  const hint = error.hint ? ` Hint: ${error.hint}.` : '';
  setMessage(`${where}${error.message}${path}${hint}`, 'error');
  message.dataset.code = error.code || '';
  errorLine = error.line || 0;
  editor.dataset.errorLine = errorLine ? String(errorLine) : '';
  if (large) {
    inputView.setMark(errorLine);
    if (errorLine) inputView.scrollToLine(errorLine);
    return;
  }
  errorBand.hidden = !errorLine;
  if (errorLine) {
    // Put the error line in view, and the caret on the error (columns count characters; the textarea counts
    // UTF-16 units, so walk the line).
    const text = input.value;
    let start = 0;
    for (let n = 1; n < errorLine && start !== -1; n++) start = text.indexOf('\n', start) + 1 || -1;
    if (start >= 0) {
      const offset = offsetOf(text, start, error.column);
      input.setSelectionRange(offset, offset);
    }
    const y = (errorLine - 1) * lineHeight;
    if (y < input.scrollTop || y > input.scrollTop + input.clientHeight - lineHeight) {
      input.scrollTop = Math.max(0, y - input.clientHeight / 3);
    }
  }
  drawGutter();
}

function clearError() {
  if (!errorLine && !message.classList.contains('error')) return;
  errorLine = 0;
  errorBand.hidden = true;
  editor.dataset.errorLine = '';
  if (large) inputView.setMark(0);
  if (message.classList.contains('error')) setMessage('', '');
  drawGutter();
}

function setMessage(text, kind) {
  message.textContent = text;
  delete message.dataset.code;
  message.className = `message ${kind}`;
}

// ---- The output: a read-only textarea, or the viewer for a large result ----

let outputText = '';

function setOutput(text) {
  outputText = text;
  const big = isLarge(text);
  output.value = big ? '' : text;
  showViewer('output', big);
  if (big) outputView.set(text);
}

/** Shows the viewer instead of the textarea of `pane` ('input' or 'output'), or back; the label follows. */
function showViewer(pane, on) {
  const area = $(pane);
  const view = $(`${pane}-view`);
  const label = $(`${pane}-label`);
  area.hidden = on;
  area.parentElement.hidden = on; // the textarea's wrapper, which would keep its share of the width
  view.hidden = !on;
  label.htmlFor = on ? '' : pane;
  if (on) view.setAttribute('aria-labelledby', label.id);
  else view.removeAttribute('aria-labelledby');
}

// ---- Actions ----

const ACTIONS = {
  format: { verb: 'Formatted', button: $('format') },
  minify: { verb: 'Minified', button: $('minify') },
  convert: { verb: 'Converted', button: $('convert') },
  validate: { verb: 'Valid', button: $('validate') },
};

let outputFormat = 'json';
let fileName = '';

function options(action) {
  const value = indent.value;
  return {
    indent: value === 'tab' ? 'tab' : Number(value),
    compact: action === 'minify',
    sort_keys: sortKeys.checked,
  };
}

let busy = 0;
let done = 0;
async function act(action) {
  try {
    await perform(action);
  } finally {
    // For tests and scripts: the number of actions finished so far.
    document.body.dataset.done = String(++done);
  }
}

// ---- JSON Schema ----

const schemaText = $('schema');
const violationsList = $('violations');

/** Lists `violations` under the message, each a button that puts the input's caret on it. */
function showViolations(violations) {
  violationsList.replaceChildren();
  violationsList.hidden = violations.length === 0;
  for (const v of violations) {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    const path = v.path ? ` (at ${v.path})` : '';
    button.textContent = `Line ${v.line}, column ${v.column}: ${v.message}${path}`;
    button.title = `${v.keyword} at ${v.schema_path || '/'} in the schema`;
    button.addEventListener('click', () => {
      showError({ ...v, code: 'schema_violation' });
      message.textContent = `${violations.length} violation${violations.length === 1 ? '' : 's'} of the schema. ${button.textContent}`;
    });
    item.append(button);
    violationsList.append(item);
  }
}

async function openSchema(file) {
  schemaText.value = decoder.decode(new Uint8Array(await file.arrayBuffer()));
  const format = EXTENSIONS[(file.name.split('.').pop() || '').toLowerCase()];
  $('schema-from').value = format === 'yaml' || format === 'toml' || format === 'json' ? format : '';
  $('schema-pane').open = true;
  setMessage(`Opened the schema ${file.name} (${size(file.size)}).`, '');
}

$('open-schema').addEventListener('click', () => $('schema-file').click());
$('schema-file').addEventListener('change', () => {
  const files = $('schema-file').files;
  if (files.length) openSchema(files[0]);
  $('schema-file').value = '';
});
$('clear-schema').addEventListener('click', () => {
  schemaText.value = '';
  showViolations([]);
});

async function perform(action) {
  const text = inputText();
  const version = inputVersion;
  const job = { action, input: inputBytes || text, from: from.value, to: to.value, options: options(action) };
  const schema = action === 'validate' ? schemaText.value : '';
  if (schema.trim()) {
    Object.assign(job, { schema, schemaFrom: $('schema-from').value, formats: $('schema-formats').checked });
  }
  showViolations([]);
  busy++;
  document.body.classList.add('busy');
  setMessage('Working…', '');
  let result;
  try {
    result = await run(job);
  } finally {
    busy--;
    if (!busy) document.body.classList.remove('busy');
  }
  const ms = Math.round(result.ms);
  if (version !== inputVersion) return; // edited meanwhile: this answer is stale
  if (!result.ok) {
    if (result.internal) {
      setMessage(`Internal error: ${result.error.message}`, 'error');
    } else if (result.error.kind === 'schema_error') {
      // About the schema, not the input: no line of the input to point at.
      clearError();
      setMessage(`${result.error.message[0].toUpperCase()}${result.error.message.slice(1)}`, 'error');
      message.dataset.code = 'schema_error';
    } else {
      showError(result.error);
    }
    return;
  }
  clearError();
  if (action === 'validate' && result.violations && result.violations.length) {
    const n = result.violations.length;
    showViolations(result.violations);
    showError({ ...result.violations[0], code: 'schema_violation' });
    message.textContent = `${n} violation${n === 1 ? '' : 's'} of the schema (${ms} ms). ${message.textContent}`;
    return;
  }
  if (action === 'validate') {
    const against = job.schema ? ', and it matches the schema' : '';
    setMessage(`Valid ${NAMES[job.from]}${against} (${size(inputBytes ? inputBytes.length : text.length)}, ${ms} ms).`, 'ok');
    return;
  }
  setOutput(result.output);
  outputFormat = action === 'convert' ? job.to : job.from;
  $('copy').disabled = false;
  $('download').disabled = false;
  const what = action === 'convert' ? `${NAMES[job.from]} to ${NAMES[job.to]}` : NAMES[job.from];
  setMessage(`${ACTIONS[action].verb} ${what}: ${size(result.bytes)} in ${ms} ms.`, 'ok');
}

for (const [action, { button }] of Object.entries(ACTIONS)) {
  button.addEventListener('click', () => act(action));
}

input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    act('format');
  }
});
input.addEventListener('input', onTextChange);
input.addEventListener('scroll', drawGutter);
window.addEventListener('resize', () => {
  drawGutter();
  inputView.draw();
  outputView.draw();
});

// ---- Files: open, drop, download, copy ----

async function openFile(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const text = decoder.decode(bytes);
  fileName = file.name;
  const format = EXTENSIONS[(file.name.split('.').pop() || '').toLowerCase()];
  if (format) from.value = format;
  // While the page shows exactly these bytes, they go to the worker as they are. A textarea shows CR LF as LF and
  // the decoder drops a byte order mark: then the text shown is what counts (the viewer shows any text as is).
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const exact = !bom && (isLarge(text) || !bytes.includes(13));
  setInput(text, exact ? bytes : null);
  setMessage(`Opened ${file.name} (${size(file.size)}).`, '');
}

$('open').addEventListener('click', () => fileInput.click());
fileInput.addEventListener('change', () => {
  if (fileInput.files.length) openFile(fileInput.files[0]);
  fileInput.value = '';
});

let dragDepth = 0;
editor.addEventListener('dragenter', (event) => {
  event.preventDefault();
  dragDepth++;
  $('drop-hint').hidden = false;
});
editor.addEventListener('dragleave', () => {
  if (--dragDepth <= 0) {
    dragDepth = 0;
    $('drop-hint').hidden = true;
  }
});
editor.addEventListener('dragover', (event) => event.preventDefault());
editor.addEventListener('drop', (event) => {
  event.preventDefault();
  dragDepth = 0;
  $('drop-hint').hidden = true;
  const file = event.dataTransfer && event.dataTransfer.files[0];
  if (file) openFile(file);
});
// A file dropped anywhere else must not make the browser navigate away from the page.
window.addEventListener('dragover', (event) => event.preventDefault());
window.addEventListener('drop', (event) => event.preventDefault());

$('download').addEventListener('click', () => {
  const base = fileName ? fileName.replace(/\.[^.]*$/, '') : 'output';
  const url = URL.createObjectURL(new Blob([outputText], { type: MEDIA[outputFormat] }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${base}.${outputFormat}`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
});

$('copy').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(outputText);
  } catch {
    const scratch = document.createElement('textarea');
    scratch.value = outputText;
    document.body.append(scratch);
    scratch.select();
    document.execCommand('copy');
    scratch.remove();
  }
  setMessage('Copied the output.', 'ok');
});

// ---- Start ----

function measureLines() {
  const style = getComputedStyle(input);
  lineHeight = parseFloat(style.lineHeight) || 20;
  inputView.lineHeight = outputView.lineHeight = lineHeight;
  countLines();
  drawGutter();
}

startWorker();
measureLines();
ready.then((hello) => {
  if (hello.ok) {
    $('version').textContent = hello.version;
    document.body.dataset.readyAt = String(performance.now());
    document.body.dataset.ready = 'true';
    if (!message.classList.contains('error')) setMessage('Ready. Paste, type, open or drop a file.', '');
  } else {
    setMessage(`Could not start: ${hello.error.message}`, 'error');
  }
});
