// dfmt's web page: the worker that runs the WebAssembly engine, off the page's main thread.
// Messages in: { id, action: 'format' | 'minify' | 'convert' | 'validate', input, from, to, options }, where input
// is UTF-8 bytes (a Uint8Array, usually transferred) or a string; a 'validate' with { schema, schemaFrom, formats }
// also checks the input against that JSON Schema (the schema build of the module, loaded on first use).
// Messages out: { id, ok: true, output, ms } with output as UTF-8 bytes (transferred), and `violations` (an array,
// empty when the input matches) for a validation against a schema; or
// { id, ok: false, error: { message, line, column, kind, path }, ms }; and first { id: 0, ok, version } once the
// module is loaded (or could not be).

import init, { format_bytes, convert_bytes, validate_bytes, version } from './dfmt_wasm.js';

const loaded = init({ module_or_path: new URL('dfmt_wasm_bg.wasm', import.meta.url) }).then(
  () => postMessage({ id: 0, ok: true, version: version() }),
  (e) => postMessage({ id: 0, ok: false, internal: true, error: { message: String((e && e.message) || e) } }),
);

const encoder = new TextEncoder();

// The JSON Schema build: about six times the size of the page's module, so fetched only when first needed (from
// this page's own origin, as everything else).
let schemaModule;
function loadSchemaModule() {
  schemaModule ??= import('./dfmt_schema.js').then(async (m) => {
    await m.default({ module_or_path: new URL('dfmt_schema_bg.wasm', import.meta.url) });
    return m;
  });
  return schemaModule;
}

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
    if (request.action === 'validate' && request.schema) {
      const m = await loadSchemaModule();
      const bytes = typeof request.input === 'string' ? encoder.encode(request.input) : request.input;
      const schema = typeof request.schema === 'string' ? encoder.encode(request.schema) : request.schema;
      const violations = m.check_schema(bytes, request.from, schema, request.schemaFrom || '', Boolean(request.formats));
      const output = new Uint8Array(0);
      const ms = performance.now() - started;
      postMessage({ id: request.id, ok: true, output, violations, ms, receivedAt, sentAt: performance.timeOrigin + performance.now() }, [output.buffer]);
      return;
    }
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
