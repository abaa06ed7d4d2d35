'use strict';
// authtoken for Node.js: one login per identity, shared by every thread, process, language and
// machine. This file wraps the native addon (Rust, napi-rs) built from bindings/node/src; see
// docs/node.md. Network calls and lock waits run on the libuv thread pool: every method that
// returns a Promise leaves the event loop free; the *Sync ones block it.

const path = require('node:path');
const fs = require('node:fs');

const ADDON = 'authtoken.linux-x64-gnu.node';

function loadAddon() {
  const override = process.env.AUTHTOKEN_NODE_ADDON;
  if (override) {
    // dlopen, not require: the file may be cargo's libauthtoken_node.so (require would read
    // any name not ending in .node as JavaScript).
    const addon = { exports: {} };
    process.dlopen(addon, path.resolve(override));
    return addon.exports;
  }
  const platform = `${process.platform}-${process.arch}`;
  const file = path.join(__dirname, ADDON);
  if (platform !== 'linux-x64') {
    throw new Error(
      `authtoken: no prebuilt native addon for ${platform} (this package ships ${ADDON} ` +
        'only). Build it from source (cargo build --release -p authtoken-node, then copy ' +
        'target/release/libauthtoken_node.so) and point AUTHTOKEN_NODE_ADDON at it.',
    );
  }
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null;
  if (report && report.header && !report.header.glibcVersionRuntime) {
    throw new Error(
      `authtoken: ${ADDON} needs glibc 2.17 or newer, and this Node.js does not run on glibc ` +
        '(musl, e.g. Alpine?). Build the addon from source on this system and set AUTHTOKEN_NODE_ADDON.',
    );
  }
  if (!fs.existsSync(file)) {
    throw new Error(
      `authtoken: the native addon ${file} is missing. Install the package from its release ` +
        'tarball (authtoken-node-VERSION.tgz), or in a source checkout run `npm run build` in ' +
        'bindings/node (needs cargo), or set AUTHTOKEN_NODE_ADDON.',
    );
  }
  return require(file);
}

const native = loadAddon();
const MARKER = '\u0001authtoken-error:';

// --- Errors -------------------------------------------------------------------------------

/** Base class of every error authtoken throws; the same codes and kinds in every language. */
class AuthTokenError extends Error {
  constructor(message, details = {}) {
    super(message);
    this.name = new.target.name;
    this.code = new.target.code ?? 0;
    this.kind = new.target.kind ?? 'error';
    this.status = details.status ?? null;
    this.serverMessage = details.serverMessage ?? null;
    this.errorCode = details.errorCode ?? null;
    this.retryAfter = details.retryAfter ?? null;
    this.response = details.response ?? null;
  }
}
AuthTokenError.code = 0;
AuthTokenError.kind = 'error';

function className(kind) {
  return kind.split('_').map((p) => p[0].toUpperCase() + p.slice(1)).join('') + 'Error';
}

const CLASSES = new Map();
for (const [code, kind] of native.errorKinds()) {
  const name = className(kind);
  // A named class per kind: `err instanceof authtoken.TokenLimitError`, `err.name`.
  const cls = { [name]: class extends AuthTokenError {} }[name];
  Object.defineProperty(cls, 'code', { value: code, enumerable: true });
  Object.defineProperty(cls, 'kind', { value: kind, enumerable: true });
  CLASSES.set(code, cls);
}

/** The error class of a code (1..16); throws RangeError for another number. */
function errorClass(code) {
  const cls = CLASSES.get(code);
  if (!cls) throw new RangeError(`no authtoken error kind has code ${code}`);
  return cls;
}

function makeError(code, message, details) {
  const Cls = CLASSES.get(code) ?? AuthTokenError;
  return new Cls(message, details);
}

/** The AuthTokenError for an error of the addon; any other error is returned as it is. */
function convert(e, response) {
  if (e instanceof Error && typeof e.message === 'string' && e.message.startsWith(MARKER)) {
    const p = JSON.parse(e.message.slice(MARKER.length));
    const err = makeError(p.code, p.message, { ...p, response });
    return err;
  }
  return e;
}

function call(f) {
  try {
    return f();
  } catch (e) {
    throw convert(e);
  }
}

async function callAsync(f) {
  try {
    return await f();
  } catch (e) {
    throw convert(e);
  }
}

function invalidArgument(message) {
  return makeError(14, message, {});
}

// --- Conversions --------------------------------------------------------------------------

function configJson(config, what) {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new TypeError(`${what} must be an object of configuration keys (snake_case, as in the JSON config)`);
  }
  for (const [key, value] of Object.entries(config)) {
    const t = typeof value;
    if (t === 'function' || t === 'symbol' || t === 'bigint') {
      throw new TypeError(`configuration key '${key}' must be a JSON value, not a ${t}`);
    }
  }
  return JSON.stringify(config);
}

function headerPairs(headers) {
  const out = [];
  if (headers == null) return out;
  let entries;
  if (typeof headers.entries === 'function' && !Array.isArray(headers)) entries = headers.entries();
  else if (Array.isArray(headers)) entries = headers;
  else if (typeof headers === 'object') entries = Object.entries(headers);
  else throw new TypeError('headers must be an object, a Headers, a Map or an array of [name, value] pairs');
  for (const pair of entries) {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new TypeError('headers must be [name, value] pairs');
    }
    const [name, value] = pair;
    if (typeof name !== 'string') throw new TypeError('header names must be strings');
    if (value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new TypeError(`the value of header '${name}' must be a string or a number`);
    }
    out.push([name, String(value)]);
  }
  return out;
}

function withQuery(url, query) {
  if (query == null) return url;
  let text;
  if (typeof query === 'string') text = query.replace(/^\?/, '');
  else if (query instanceof URLSearchParams) text = query.toString();
  else if (typeof query === 'object') {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) params.append(k, String(item));
    }
    text = params.toString();
  } else throw new TypeError('query must be an object, a URLSearchParams or a string');
  if (!text) return url;
  const hash = url.indexOf('#');
  const base = hash >= 0 ? url.slice(0, hash) : url;
  return base + (base.includes('?') ? '&' : '?') + text;
}

function strictJson(value) {
  return JSON.stringify(value, (key, v) => {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new TypeError(`json: ${v} is not a JSON number${key ? ` (key '${key}')` : ''}`);
    }
    if (typeof v === 'bigint') throw new TypeError(`json: a BigInt is not JSON${key ? ` (key '${key}')` : ''}`);
    return v;
  });
}

function toBuffer(body, what) {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  throw new TypeError(`${what} must be a string, a Buffer, a TypedArray or an ArrayBuffer`);
}

/** The body and its implied Content-Type from `{json, body}`. */
function requestBody(opts) {
  const hasJson = opts.json !== undefined;
  const hasBody = opts.body !== undefined && opts.body !== null;
  if (hasJson && hasBody) throw new TypeError('pass json or body, not both');
  if (hasJson) return [Buffer.from(strictJson(opts.json), 'utf8'), 'application/json'];
  if (!hasBody) return [undefined, undefined];
  const body = opts.body;
  if (body instanceof URLSearchParams) {
    return [Buffer.from(body.toString(), 'utf8'), 'application/x-www-form-urlencoded'];
  }
  if (typeof body === 'object' && !ArrayBuffer.isView(body) && !(body instanceof ArrayBuffer)) {
    throw new TypeError(
      'body must be a string, a Buffer, a TypedArray, an ArrayBuffer or a URLSearchParams (a form); ' +
        'send an object with {json: ...}',
    );
  }
  return [toBuffer(body, 'body'), undefined];
}

// --- Response -----------------------------------------------------------------------------

function charsetOf(contentType) {
  if (!contentType) return null;
  for (const param of contentType.split(';').slice(1)) {
    const [name, value] = param.split('=');
    if (value !== undefined && name.trim().toLowerCase() === 'charset') {
      return value.trim().replace(/^"|"$/g, '').toLowerCase();
    }
  }
  return null;
}

/** The answer to a signed request, fully read. Any status is a Response: see raiseForStatus(). */
class Response {
  #native;
  #body;
  #headers;
  constructor(nativeResponse) {
    this.#native = nativeResponse;
    this.status = nativeResponse.status;
    this.url = nativeResponse.url;
  }
  get ok() {
    return this.status < 400;
  }
  /** A WHATWG Headers (case-insensitive; repeated names joined with ", "). */
  get headers() {
    if (!this.#headers) {
      const h = new Headers();
      for (const [k, v] of this.#native.headers) h.append(k, v);
      this.#headers = h;
    }
    return this.#headers;
  }
  /** The body as a Buffer. */
  get body() {
    if (!this.#body) this.#body = this.#native.body;
    return this.#body;
  }
  /** The body decoded with the Content-Type's charset (UTF-8 when none; bad bytes replaced). */
  text() {
    const charset = charsetOf(this.headers.get('content-type'));
    try {
      return new TextDecoder(charset || 'utf-8').decode(this.body);
    } catch (e) {
      if (e instanceof RangeError) return new TextDecoder('utf-8').decode(this.body);
      throw e;
    }
  }
  /** The body parsed as JSON (throws SyntaxError when it is not JSON). */
  json() {
    return JSON.parse(this.text());
  }
  /** Returns this response when its status is below 400, else throws the matching
   * AuthTokenError (401 UnauthorizedError, 403 ForbiddenError, 429 RateLimitedError, 5xx
   * ServerError, other 4xx HttpStatusError) with `status`, `serverMessage` and `response`. */
  raiseForStatus() {
    if (this.ok) return this; // the core's rule too: only a status of 400 or more is an error
    try {
      this.#native.raiseForStatus();
    } catch (e) {
      throw convert(e, this);
    }
    return this;
  }
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `Response [${this.status}]`;
  }
}

// --- Client -------------------------------------------------------------------------------

const FROM_TEXT = Symbol('authtoken.fromText');
const METHOD_OPTIONS = new Set(['json', 'body', 'headers', 'query']);

/** One identity on one service. See docs/node.md. */
class Client {
  #native;
  // The last header this client was given and the serial of its token: while the core says
  // that serial is still its fresh token's, the header is returned without a copy across
  // Node-API or a thread-pool hop. Private fields: util.inspect and JSON.stringify skip them.
  #header = null;
  #serial = 0;
  #freshTokenSerial;

  /** `new Client({provider, username, password, organization_id, base_url, cache, ...})`:
   * the configuration keys of every language. Throws InvalidConfigError naming a bad key. */
  constructor(config, ...rest) {
    const json = config === FROM_TEXT ? rest[0] : configJson(config, 'Client(config)');
    this.#native = call(() => new native.NativeClient(json));
    this.#freshTokenSerial = this.#native.freshTokenSerialReader();
  }

  /** A client from a configuration document (JSON text or an object); `overrides` win. */
  static fromConfig(config, overrides = {}) {
    let object;
    if (typeof config === 'string' || Buffer.isBuffer(config)) {
      const text = config.toString();
      if (!overrides || Object.keys(overrides).length === 0) {
        return new Client(FROM_TEXT, text);
      }
      try {
        object = JSON.parse(text);
      } catch {
        // The core's message for bad JSON never echoes the document (it may hold a password).
        call(() => new native.NativeClient(text));
        throw invalidArgument('config is not valid JSON');
      }
      if (object === null || typeof object !== 'object' || Array.isArray(object)) {
        call(() => new native.NativeClient(text));
      }
    } else if (config !== null && typeof config === 'object' && !Array.isArray(config)) {
      object = config;
    } else {
      throw new TypeError('config must be JSON text or an object');
    }
    return new Client({ ...object, ...overrides });
  }

  get provider() {
    return this.#native.provider;
  }
  get username() {
    return this.#native.username;
  }
  get baseUrl() {
    return this.#native.baseUrl;
  }
  /** Where tokens are kept: `memory`, `file:<directory>` or `redis:<server>`. */
  get store() {
    return this.#native.store;
  }
  get closed() {
    return this.#native.closed;
  }

  /** The Authorization header value (`Token 3f…`, `JWT eyJ…`), logging in only when there is
   * no valid token; runs on the thread pool. */
  authorizationHeader() {
    if (this.#cachedHeaderIsCurrent()) return Promise.resolve(this.#header);
    return callAsync(async () => this.#remember(await this.#native.authorizationHeaderAndSerial()));
  }
  /** As authorizationHeader(), on this thread: blocks the event loop during a login. */
  authorizationHeaderSync() {
    if (this.#cachedHeaderIsCurrent()) return this.#header;
    return this.#remember(call(() => this.#native.authorizationHeaderAndSerialSync()));
  }
  #cachedHeaderIsCurrent() {
    return this.#serial !== 0 && this.#freshTokenSerial() === this.#serial;
  }
  #remember([header, serial]) {
    this.#header = header;
    this.#serial = serial;
    return header;
  }
  /** The bare token (treat it as a password), on this thread. */
  tokenSync() {
    return call(() => this.#native.tokenSync());
  }

  /** A signed request to `path` (below base_url, or an absolute URL of the same origin). */
  request(method, path, opts = {}) {
    return callAsync(() => {
      if (typeof method !== 'string') throw new TypeError('method must be a string');
      if (typeof path !== 'string') throw new TypeError('path must be a string');
      if (opts === null || typeof opts !== 'object') throw new TypeError('options must be an object');
      for (const key of Object.keys(opts)) {
        if (!METHOD_OPTIONS.has(key)) {
          throw new TypeError(`unknown request option '${key}' (expected json, body, headers, query)`);
        }
      }
      const headers = headerPairs(opts.headers);
      const [body, contentType] = requestBody(opts);
      if (contentType && !headers.some(([k]) => k.trim().toLowerCase() === 'content-type')) {
        headers.push(['Content-Type', contentType]);
      }
      const url = withQuery(path, opts.query);
      return this.#native.request(method, url, headers, body).then((r) => new Response(r));
    });
  }
  get(path, opts) {
    return this.request('GET', path, opts);
  }
  post(path, opts) {
    return this.request('POST', path, opts);
  }
  put(path, opts) {
    return this.request('PUT', path, opts);
  }
  patch(path, opts) {
    return this.request('PATCH', path, opts);
  }
  delete(path, opts) {
    return this.request('DELETE', path, opts);
  }
  head(path, opts) {
    return this.request('HEAD', path, opts);
  }
  options(path, opts) {
    return this.request('OPTIONS', path, opts);
  }

  /** Revokes the token on the server (where the service can) and forgets it everywhere. */
  logout() {
    return callAsync(() => this.#native.logout());
  }
  /** Compare-and-invalidate: forgets `failed` (the header value or bare token that was
   * refused) only while it is still the current token. Returns whether this call forgot it. */
  invalidate(failed) {
    if (typeof failed !== 'string') throw new TypeError('invalidate(failed): a string');
    return call(() => this.#native.invalidate(failed));
  }
  /** invalidate() on the thread pool (the store may be Redis). */
  invalidateAsync(failed) {
    if (typeof failed !== 'string') return Promise.reject(new TypeError('invalidateAsync(failed): a string'));
    return callAsync(() => this.#native.invalidateAsync(failed));
  }
  /** Forgets the token locally (memory and store) without revoking it. */
  forget() {
    call(() => this.#native.forget());
  }
  /** The core's rule: does an answer with `status` and `body` say the token was refused? `body`
   * (a Buffer, TypedArray or string, or a function returning one) is read only when needed. */
  isRefused(status, body) {
    const quick = call(() => this.#native.isRefused(status));
    if (quick !== null && quick !== undefined) return quick;
    const bytes = typeof body === 'function' ? body() : body;
    return call(() => this.#native.isRefused(status, toBuffer(bytes ?? '', 'body')));
  }
  /** Throws InvalidArgumentError unless this client's header may be sent to `url`. */
  checkUrl(url) {
    call(() => this.#native.checkUrl(String(url)));
  }
  /** Releases the connections (no logout: others may share the token). */
  close() {
    this.#native.close();
    this.#header = null;
    this.#serial = 0;
  }
  /** @internal the addon's client, for the adapters. */
  get [Symbol.for('authtoken.native')]() {
    return this.#native;
  }
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `authtoken.Client { provider: '${this.provider}', username: '${this.username}', baseUrl: '${this.baseUrl}'${this.closed ? ', closed' : ''} }`;
  }
}

// --- Adapters -----------------------------------------------------------------------------

/** The target URL of a request given to an adapter: a path is below the client's base URL. */
function absolute(client, url) {
  return url.startsWith('/') ? client.baseUrl + url : url;
}

async function isRefusedAsync(client, status, readBody) {
  const quick = call(() => client[Symbol.for('authtoken.native')].isRefused(status));
  if (quick !== null && quick !== undefined) return quick;
  const body = await readBody();
  return call(() => client[Symbol.for('authtoken.native')].isRefused(status, body));
}

/**
 * A fetch-compatible function that signs every request with `client`: the URL is checked with
 * the core (the header never goes to another origin), and when the server refuses the token
 * (401, or Testpress' 403 for a bad JWT) it is invalidated and the request sent once more.
 * `options.fetch` is the fetch to wrap (default: the global one, undici).
 */
function fetchAdapter(client, options = {}) {
  if (!(client instanceof Client)) throw new TypeError('authtoken.fetch(client): an authtoken.Client');
  const base = options.fetch ?? globalThis.fetch;
  if (typeof base !== 'function') throw new TypeError('no fetch to wrap: pass {fetch}');
  return async function authtokenFetch(input, init) {
    const target = typeof input === 'string' ? absolute(client, input) : input instanceof URL ? input.href : input;
    const request = new Request(target, init);
    client.checkUrl(request.url);
    if (request.headers.has('authorization')) {
      throw invalidArgument('the Authorization header is set by authtoken; do not pass one');
    }
    const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
    const send = (header) => {
      const headers = new Headers(request.headers);
      headers.set('authorization', header);
      return base(request.url, {
        method: request.method,
        headers,
        body,
        redirect: request.redirect,
        signal: request.signal,
        credentials: request.credentials,
        cache: request.cache,
        mode: request.mode,
        referrer: request.referrer,
        referrerPolicy: request.referrerPolicy,
        integrity: request.integrity,
        keepalive: request.keepalive,
      });
    };
    const sent = await client.authorizationHeader();
    const first = await send(sent);
    const refused = await isRefusedAsync(client, first.status, async () =>
      Buffer.from(await first.clone().arrayBuffer()),
    );
    if (!refused) return first;
    await first.body?.cancel().catch(() => {});
    await client.invalidateAsync(sent);
    return send(await client.authorizationHeader());
  };
}

function axiosBody(data) {
  if (data == null) return Buffer.alloc(0);
  if (typeof data === 'string' || Buffer.isBuffer(data) || ArrayBuffer.isView(data) || data instanceof ArrayBuffer) {
    return toBuffer(data, 'data');
  }
  return Buffer.from(JSON.stringify(data), 'utf8');
}

function getHeader(headers, name) {
  if (!headers) return undefined;
  if (typeof headers.get === 'function') return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
}

function setHeader(headers, name, value) {
  if (typeof headers.set === 'function') headers.set(name, value);
  else headers[name] = value;
}

/**
 * Signs every request of an axios instance with `client` (axios itself is not a dependency of
 * authtoken: pass your instance). URLs are checked with the core; a refused token (401, or
 * Testpress' 403 for a bad JWT) is invalidated and the request sent once more. A request with
 * no baseURL and a path URL goes below the client's base URL. Returns a function that removes
 * the interceptors.
 */
function useAxios(instance, client) {
  if (!(client instanceof Client)) throw new TypeError('useAxios(instance, client): an authtoken.Client');
  if (!instance?.interceptors?.request || typeof instance.request !== 'function') {
    throw new TypeError('useAxios(instance, client): an axios instance (axios or axios.create())');
  }
  const RETRIED = '_authtokenRetried';
  const onRequest = async (config) => {
    if (!config.baseURL && typeof config.url === 'string' && config.url.startsWith('/')) {
      config.baseURL = client.baseUrl;
    }
    const uri = typeof instance.getUri === 'function' ? instance.getUri(config) : config.url;
    client.checkUrl(uri);
    config.headers = config.headers ?? {};
    if (!config[RETRIED] && getHeader(config.headers, 'authorization') !== undefined) {
      throw invalidArgument('the Authorization header is set by authtoken; do not pass one');
    }
    setHeader(config.headers, 'Authorization', await client.authorizationHeader());
    return config;
  };
  const retry = async (response) => {
    const config = response?.config;
    if (!config || config[RETRIED]) return null;
    const refused = await isRefusedAsync(client, response.status, async () => axiosBody(response.data));
    if (!refused) return null;
    const sent = getHeader(config.headers, 'authorization');
    if (sent) await client.invalidateAsync(String(sent));
    return instance.request({ ...config, [RETRIED]: true });
  };
  const req = instance.interceptors.request.use(onRequest);
  const res = instance.interceptors.response.use(
    async (response) => (await retry(response)) ?? response,
    async (error) => {
      const again = error?.response ? await retry(error.response) : null;
      if (again) return again;
      throw error;
    },
  );
  return function eject() {
    instance.interceptors.request.eject(req);
    instance.interceptors.response.eject(res);
  };
}

// --- Exports ------------------------------------------------------------------------------

exports.Client = Client;
exports.Response = Response;
exports.AuthTokenError = AuthTokenError;
exports.errorClass = errorClass;
exports.fetch = fetchAdapter;
exports.useAxios = useAxios;
exports.configKeys = () => native.configKeys();
exports.version = native.version();
for (const cls of CLASSES.values()) exports[cls.name] = cls;
Object.defineProperty(exports, '_native', { value: native, enumerable: false });
