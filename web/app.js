// dfmt's web page: the user interface. All the work (WebAssembly) runs in worker.js, so a large input never
// freezes the page. No framework, no network: the page fetches nothing but its own files.

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
  if (result.ok) result.output = decoder.decode(result.output);
  const origin = performance.timeOrigin;
  // Where the time went, for scripts/web-bench.
  result.phases = { encode: posted - started, toWorker: result.receivedAt - origin - posted, worker: result.ms, back: arrived - (result.sentAt - origin), decode: performance.now() - arrived };
  result.wasmMs = result.ms;
  result.ms = performance.now() - started;
  return result;
}

// The API the page's own tests and benchmark use, and anyone in the console: dfmt.run({action, input, ...}).
window.dfmt = { run, ready: () => ready };

// ---- Line numbers and the error line ----

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

// Only the visible line numbers are drawn, so that a file of a million lines costs no more than a short one.
function drawGutter() {
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
  fileBytes = null;
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
  setMessage(`${where}${error.message}${path}`, 'error');
  errorLine = error.line || 0;
  errorBand.hidden = !errorLine;
  editor.dataset.errorLine = errorLine ? String(errorLine) : '';
  if (errorLine) {
    // Put the error line in view, and the caret on the error (columns count characters; the textarea counts
    // UTF-16 units, so walk the line).
    const text = input.value;
    let start = 0;
    for (let n = 1; n < errorLine && start !== -1; n++) start = text.indexOf('\n', start) + 1 || -1;
    if (start >= 0) {
      let offset = start;
      for (let c = 1; c < error.column && offset < text.length && text[offset] !== '\n'; c++) {
        offset += text.codePointAt(offset) > 0xffff ? 2 : 1;
      }
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
  if (message.classList.contains('error')) setMessage('', '');
  drawGutter();
}

function setMessage(text, kind) {
  message.textContent = text;
  message.className = `message ${kind}`;
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
// The bytes of the file last opened, while the editor still holds exactly its text: they go to the worker as they
// are, with no encoding.
let fileBytes = null;

function options(action) {
  const value = indent.value;
  return {
    indent: value === 'tab' ? 'tab' : Number(value),
    compact: action === 'minify',
    sort_keys: sortKeys.checked,
  };
}

function size(n) {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} bytes`;
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

async function perform(action) {
  const text = input.value;
  const job = { action, input: fileBytes || text, from: from.value, to: to.value, options: options(action) };
  busy++;
  document.body.classList.add('busy');
  output.setAttribute('aria-busy', 'true');
  setMessage('Working…', '');
  const started = performance.now();
  let result;
  try {
    result = await run(job);
  } finally {
    busy--;
    if (!busy) {
      document.body.classList.remove('busy');
      output.removeAttribute('aria-busy');
    }
  }
  const ms = Math.round(performance.now() - started);
  if (text !== input.value) return; // edited meanwhile: this answer is stale
  if (!result.ok) {
    if (result.internal) {
      setMessage(`Internal error: ${result.error.message}`, 'error');
    } else {
      showError(result.error);
    }
    return;
  }
  clearError();
  if (action === 'validate') {
    setMessage(`Valid ${NAMES[job.from]} (${size(text.length)}, ${ms} ms).`, 'ok');
    return;
  }
  output.value = result.output;
  outputFormat = action === 'convert' ? job.to : job.from;
  $('copy').disabled = false;
  $('download').disabled = false;
  const what = action === 'convert' ? `${NAMES[job.from]} to ${NAMES[job.to]}` : NAMES[job.from];
  setMessage(`${ACTIONS[action].verb} ${what}: ${size(result.output.length)} in ${ms} ms.`, 'ok');
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
window.addEventListener('resize', drawGutter);

// ---- Files: open, drop, download, copy ----

async function openFile(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  input.value = decoder.decode(bytes);
  fileName = file.name;
  const format = EXTENSIONS[(file.name.split('.').pop() || '').toLowerCase()];
  if (format) from.value = format;
  input.scrollTop = 0;
  onTextChange();
  // While the editor shows exactly these bytes, they go to the worker as they are. A textarea shows CR LF as LF
  // and the decoder drops a byte order mark: then the text shown is what counts.
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  fileBytes = bom || bytes.includes(13) ? null : bytes;
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
  const ext = outputFormat === 'yaml' ? 'yaml' : outputFormat;
  const url = URL.createObjectURL(new Blob([output.value], { type: MEDIA[outputFormat] }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${base}.${ext}`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
});

$('copy').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(output.value);
  } catch {
    output.select();
    document.execCommand('copy');
  }
  setMessage('Copied the output.', 'ok');
});

// ---- Start ----

function measureLines() {
  const style = getComputedStyle(input);
  lineHeight = parseFloat(style.lineHeight) || 20;
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
