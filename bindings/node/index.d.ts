// Type declarations of the npm package `authtoken` (written by hand against index.js; checked
// with `tsc --noEmit` on examples/example.ts and test/types.ts by `make lint-node`).

/// <reference types="node" />

/** The configuration keys of every language (snake_case, as in the JSON config). */
export interface Config {
  provider?: 'tpstreams' | 'tpstreams-legacy' | 'testpress' | 'cruxconnect' | 'custom' | (string & {});
  username?: string;
  password?: string;
  organization_id?: string;
  subdomain?: string;
  api_version?: string;
  sandbox?: boolean;
  base_url?: string;
  login_path?: string;
  logout_path?: string | null;
  credential_fields?: { username?: string; password?: string };
  extra_fields?: Record<string, unknown>;
  token_field?: string;
  expiry_field?: string | null;
  scheme?: string;
  timeout_ms?: number;
  connect_timeout_ms?: number;
  allow_insecure_http?: boolean;
  ca_file?: string;
  user_agent?: string;
  refresh_margin_s?: number;
  token_lifetime_s?: number | null;
  /** `file` (the default), `memory`, or `redis://…` / `rediss://…`. */
  cache?: 'file' | 'memory' | (string & {});
  cache_dir?: string;
  lock_timeout_ms?: number;
  max_retries?: number;
  max_retry_wait_ms?: number;
  max_response_bytes?: number;
  redis_key_prefix?: string;
  redis_fallback?: boolean;
  /** How long a refused login is remembered for every caller of the identity (default 60; 0: off). */
  login_cooloff_s?: number;
}

export type HeadersInit =
  | Record<string, string | number | undefined>
  | Array<[string, string | number]>
  | Headers
  | Map<string, string | number>;

export type BodyInit = string | Buffer | ArrayBufferView | ArrayBuffer | URLSearchParams;

export interface RequestOptions {
  /** Sent as JSON (`Content-Type: application/json`); NaN, Infinity and BigInt are refused. */
  json?: unknown;
  /** Sent as it is; a URLSearchParams is sent as a form. */
  body?: BodyInit | null;
  /** Extra headers; the Authorization header is authtoken's. */
  headers?: HeadersInit;
  /** Appended to the query string (arrays repeat the key). */
  query?: Record<string, string | number | boolean | Array<string | number | boolean> | undefined> | URLSearchParams | string;
}

/** The answer to a signed request, fully read. Any status is a Response. */
export class Response {
  private constructor();
  readonly status: number;
  /** The final URL (after redirects). */
  readonly url: string;
  /** Whether the status is below 400. */
  readonly ok: boolean;
  readonly headers: Headers;
  readonly body: Buffer;
  /** The body decoded with the Content-Type's charset (UTF-8 when there is none). */
  text(): string;
  /** The body parsed as JSON (throws SyntaxError when it is not JSON). */
  json<T = any>(): T;
  /** This response when its status is below 400; else throws the matching AuthTokenError. */
  raiseForStatus(): this;
}

/** One identity on one service: one login, shared by every caller of that identity. */
export class Client {
  /** Throws InvalidConfigError naming a missing, unknown, mistyped or misplaced key. */
  constructor(config: Config);
  /** A client from a configuration document (JSON text or an object); `overrides` win. */
  static fromConfig(config: string | Buffer | Config, overrides?: Config): Client;
  readonly provider: string;
  readonly username: string;
  readonly baseUrl: string;
  /** Where tokens are kept: `memory`, `file:<directory>` or `redis:<server>`. */
  readonly store: string;
  readonly closed: boolean;
  /** The Authorization header value, logging in only when needed (on the thread pool). */
  authorizationHeader(): Promise<string>;
  /** As authorizationHeader(), blocking the event loop during a login. */
  authorizationHeaderSync(): string;
  /** The bare token (treat it as a password). */
  tokenSync(): string;
  request(method: string, path: string, opts?: RequestOptions): Promise<Response>;
  get(path: string, opts?: RequestOptions): Promise<Response>;
  post(path: string, opts?: RequestOptions): Promise<Response>;
  put(path: string, opts?: RequestOptions): Promise<Response>;
  patch(path: string, opts?: RequestOptions): Promise<Response>;
  delete(path: string, opts?: RequestOptions): Promise<Response>;
  head(path: string, opts?: RequestOptions): Promise<Response>;
  options(path: string, opts?: RequestOptions): Promise<Response>;
  /** Revokes the token on the server (where the service can) and forgets it everywhere. */
  logout(): Promise<void>;
  /** Compare-and-invalidate: forgets `failed` only while it is the current token. */
  invalidate(failed: string): boolean;
  invalidateAsync(failed: string): Promise<boolean>;
  /** Forgets the token locally without revoking it. */
  forget(): void;
  /** The core's refusal rule (401, or Testpress' 403 for a bad JWT); `body` read only if needed. */
  isRefused(status: number, body?: string | Buffer | ArrayBufferView | (() => string | Buffer | ArrayBufferView)): boolean;
  /** Throws InvalidArgumentError unless this client's header may be sent to `url`. */
  checkUrl(url: string | URL): void;
  /** Releases the connections; does not log out. */
  close(): void;
}

export interface ErrorDetails {
  status?: number | null;
  serverMessage?: string | null;
  errorCode?: string | null;
  retryAfter?: number | null;
  response?: Response | null;
}

/** Base class of every error authtoken throws. */
export class AuthTokenError extends Error {
  constructor(message: string, details?: ErrorDetails);
  static readonly code: number;
  static readonly kind: string;
  /** The stable number of the kind (the same in C, Python, PHP, Ruby and the CLI). */
  readonly code: number;
  readonly kind: ErrorKind;
  /** The HTTP status, or null. */
  readonly status: number | null;
  /** The server's own message, or null. */
  readonly serverMessage: string | null;
  /** The server's `error_code`, or null. */
  readonly errorCode: string | null;
  /** Seconds the server asked to wait, or null. */
  readonly retryAfter: number | null;
  /** The Response, for errors thrown by raiseForStatus(). */
  readonly response: Response | null;
}

export type ErrorKind =
  | 'invalid_config' | 'invalid_credentials' | 'token_limit' | 'unauthorized' | 'forbidden'
  | 'rate_limited' | 'network' | 'timeout' | 'tls' | 'server' | 'protocol' | 'store'
  | 'lock_timeout' | 'invalid_argument' | 'http_status' | 'internal';

export class InvalidConfigError extends AuthTokenError {}
export class InvalidCredentialsError extends AuthTokenError {}
export class TokenLimitError extends AuthTokenError {}
export class UnauthorizedError extends AuthTokenError {}
export class ForbiddenError extends AuthTokenError {}
export class RateLimitedError extends AuthTokenError {}
export class NetworkError extends AuthTokenError {}
export class TimeoutError extends AuthTokenError {}
export class TlsError extends AuthTokenError {}
export class ServerError extends AuthTokenError {}
export class ProtocolError extends AuthTokenError {}
export class StoreError extends AuthTokenError {}
export class LockTimeoutError extends AuthTokenError {}
export class InvalidArgumentError extends AuthTokenError {}
export class HttpStatusError extends AuthTokenError {}
export class InternalError extends AuthTokenError {}

/** The class of an error code (1..16); throws RangeError for another number. */
export function errorClass(code: number): typeof AuthTokenError;

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<globalThis.Response>;

/** A fetch-compatible function signing every request with `client` (checks the URL, re-logs in
 * once on a refused token). Paths (`/api/...`) go below the client's base URL. */
export function fetch(client: Client, options?: { fetch?: FetchLike }): FetchLike;

/** The minimal shape of an axios instance (axios is not a dependency of authtoken). */
export interface AxiosLike {
  interceptors: {
    request: { use(onFulfilled: (config: any) => any, onRejected?: (error: any) => any): number; eject(id: number): void };
    response: { use(onFulfilled: (response: any) => any, onRejected?: (error: any) => any): number; eject(id: number): void };
  };
  request(config: any): Promise<any>;
  getUri?(config?: any): string;
}

/** Signs every request of an axios instance with `client`; returns a function removing it. */
export function useAxios(instance: AxiosLike, client: Client): () => void;

/** The configuration keys every language accepts, in the documented order. */
export function configKeys(): string[];

/** The library's version. */
export const version: string;
