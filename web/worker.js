// dfmt's web page: the worker that runs the WebAssembly engine, off the page's main thread.
// Messages in: { id, action: 'format' | 'minify' | 'convert' | 'validate', input, from, to, options }, where input
// is UTF-8 bytes (a Uint8Array, usually transferred) or a string.
// Messages out: { id, ok: true, output, ms } with output as UTF-8 bytes (transferred), or
// { id, ok: false, error: { message, line, column, kind, path }, ms }; and first { id: 0, ok, version } once the
// module is loaded (or could not be).

import init, { format_bytes, convert_bytes, validate_bytes, version } from './dfmt_wasm.js';

const loaded = init({ module_or_path: new URL('dfmt_wasm_bg.wasm', import.meta.url) }).then(
  () => postMessage({ id: 0, ok: true, version: version() }),
  (e) => postMessage({ id: 0, ok: false, internal: true, error: { message: String((e && e.message) || e) } }),
);

const encoder = new TextEncoder();

function job({ action, input, from, to, options }) {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  switch (action) {
    case 'format':
      return format_bytes(bytes, from, { ...options, compact: false });
    case 'minify':
      return format_bytes(bytes, from, { ...options, compact: true });
    case 'convert':
      return convert_bytes(bytes, from, to, options);
    case 'validate':
      validate_bytes(bytes, from);
      return new Uint8Array(0); // a new one each time: the answer's buffer is transferred
    default:
      throw { message: `unknown action '${action}'`, line: null, column: null, kind: 'usage', path: null };
  }
}

onmessage = async (event) => {
  await loaded;
  const request = event.data;
  const started = performance.now();
  const receivedAt = performance.timeOrigin + started;
  try {
    const output = job(request);
    const ms = performance.now() - started;
    postMessage({ id: request.id, ok: true, output, ms, receivedAt, sentAt: performance.timeOrigin + performance.now() }, [output.buffer]);
  } catch (e) {
    const failure = e && typeof e === 'object' && typeof e.kind === 'string' && !(e instanceof Error);
    postMessage({
      id: request.id,
      ok: false,
      internal: !failure,
      error: failure ? e : { message: String((e && e.message) || e) },
      ms: performance.now() - started,
    });
  }
};
