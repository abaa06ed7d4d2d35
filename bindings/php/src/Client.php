<?php

declare(strict_types=1);

namespace AuthToken;

use AuthToken\Exception\InvalidArgumentException;
use AuthToken\Exception\InvalidConfigException;
use AuthToken\Exception\LibraryException;
use FFI;
use FFI\CData;

/**
 * A client for one identity on one service: logs in only when no valid token is cached,
 * signs requests, logs in again once on a 401, and logs out.
 *
 * ```php
 * $client = new AuthToken\Client([
 *     'provider' => 'tpstreams',
 *     'username' => 'hari@example.com',
 *     'password' => getenv('TPSTREAMS_PASSWORD'),
 *     'organization_id' => 'auhf2k',
 * ]);
 * $assets = $client->get('/api/v1/auhf2k/assets/')->throwForStatus()->json();
 * ```
 *
 * The configuration takes the same keys as every binding (`provider`, `username`,
 * `password`, `organization_id`, `subdomain`, `base_url`, `cache`, `cache_dir`, ...; see
 * Library::configKeys()). The password is handed to the library once, as JSON, and not kept
 * by this object.
 *
 * Clients of the same identity (provider, base URL, username, organization) share one token:
 * in the process, and through the default file cache with every other process (PHP-FPM
 * workers, cron jobs, the CLI, Python scripts), so that N workers starting cold make one
 * login.
 *
 * Ownership: the object owns one native handle, freed by close() or when the object is
 * destroyed (__destruct). Freeing does not revoke the token (logout() does). A client cannot
 * be cloned or serialized. Responses do not depend on the client.
 *
 * Errors: every method throws a subclass of AuthTokenException with the kind's code, the
 * HTTP status and the server's message; a LibraryException when the native library cannot
 * be loaded.
 */
final class Client
{
    private const REQUEST_OPTIONS = ['json', 'body', 'form', 'headers', 'query'];
    private const CLOSED = 'this AuthToken\\Client was closed';

    private FFI $ffi;
    private ?CData $handle = null;
    /** A reusable `char *` output slot for the owned strings the library returns. */
    private CData $out;
    /**
     * Scratch space reused by every call of this client (PHP runs one call at a time per
     * object): the response handle slot, the response's parts, the serial output.
     */
    private CData $responseSlot;
    private CData $parts;
    private CData $serialOut;
    /**
     * The last header handed out and the serial of its token: returned again, with no copy,
     * while authtoken_client_token_serial() still names that token. On PHP 8.2 and later it
     * is wrapped in a SensitiveParameterValue, so that var_export(), an (array) cast and
     * dumpers that read private properties (Symfony's VarDumper) do not show it.
     */
    private \SensitiveParameterValue|string|null $header = null;
    private int $headerSerial = 0;

    /**
     * Creates a client. No network traffic happens here: the first login is on first use.
     *
     * @param array<string, mixed> $config the configuration (same keys as every binding)
     * @throws InvalidConfigException when a key is missing, unknown or invalid (the message
     *         names the key, never the password)
     * @throws LibraryException when the native library cannot be loaded
     * @throws AuthTokenException `TlsException` for an unreadable `ca_file`, `StoreException`
     *         when the configured cache cannot be opened
     */
    public function __construct(#[\SensitiveParameter] array $config)
    {
        try {
            $json = json_encode((object) $config, self::jsonFlags());
        } catch (\JsonException $e) {
            throw new InvalidConfigException('the configuration cannot be encoded as JSON: ' . $e->getMessage());
        }
        $this->open($json);
    }

    /**
     * Creates a client from a JSON configuration document (for instance a config file).
     *
     * @throws InvalidConfigException|LibraryException|AuthTokenException as the constructor
     */
    public static function fromJson(#[\SensitiveParameter] string $json): self
    {
        $client = (new \ReflectionClass(self::class))->newInstanceWithoutConstructor();
        $client->open($json);
        return $client;
    }

    /** Frees the native handle (the token stays cached for the next client). */
    public function __destruct()
    {
        $this->close();
    }

    /**
     * Frees the native handle now rather than when the object is destroyed. Idempotent.
     * Afterwards every method but close() throws InvalidArgumentException.
     */
    public function close(): void
    {
        $handle = $this->handle;
        if ($handle !== null) {
            $this->handle = null;
            $this->header = null;
            $this->headerSerial = 0;
            $this->ffi->authtoken_client_free($handle);
        }
    }

    /** Whether close() was called. */
    public function isClosed(): bool
    {
        return $this->handle === null;
    }

    /**
     * The raw token (without the scheme), logging in only if no valid token is cached.
     * It is a secret: do not log it.
     *
     * @throws AuthTokenException InvalidCredentialsException, TokenLimitException,
     *         NetworkException, ... from the login; StoreException, LockTimeoutException
     */
    public function token(): string
    {
        $code = $this->ffi->authtoken_client_token($this->handle(), FFI::addr($this->out));
        if ($code !== 0) {
            throw Library::lastError($code);
        }
        return $this->takeOut();
    }

    /**
     * The `Authorization` header value exactly as the service wants it: `Token 3f…`
     * (TPStreams, CruxConnect), `token 3f…` (TPStreams legacy), `JWT eyJ…` (Testpress).
     * A warm call (token cached) does not touch the network. It holds the token: do not log it.
     *
     * @throws AuthTokenException as token()
     */
    public function authorizationHeader(): string
    {
        // The warm path, inlined (no call to handle()): a method call is a third of its cost.
        $handle = $this->handle ?? throw new InvalidArgumentException(self::CLOSED);
        $serial = $this->ffi->authtoken_client_token_serial($handle);
        if ($serial !== 0 && $serial === $this->headerSerial) {
            $header = $this->header;
            return is_string($header) ? $header : $header->getValue();
        }
        $code = $this->ffi->authtoken_client_authorization_header_and_serial(
            $handle,
            FFI::addr($this->out),
            $this->serialOut,
        );
        if ($code !== 0) {
            throw Library::lastError($code);
        }
        $header = $this->takeOut();
        $this->header = \PHP_VERSION_ID >= 80200 ? new \SensitiveParameterValue($header) : $header;
        $this->headerSerial = $this->serialOut[0];
        return $header;
    }

    /**
     * Sends a signed request and reads the whole answer.
     *
     * `$url` is a path below the base URL (`/api/v1/assets/`, a query string allowed) or an
     * absolute URL of the same origin; the Authorization header is never sent elsewhere.
     *
     * Options:
     * - `json`: a value sent as JSON (`Content-Type: application/json` unless given);
     * - `body`: a string sent as is;
     * - `form`: an array sent url-encoded (`application/x-www-form-urlencoded` unless given);
     * - `headers`: `['Name' => 'value', 'X-Repeated' => ['a', 'b']]`;
     * - `query`: `['page' => 2, 'tag' => ['a', 'b']]` (`page=2&tag=a&tag=b`; nulls are left
     *   out, booleans sent as 1/0) or a string, appended to any query already in `$url`.
     *
     * On a 401 (or Testpress' 403 for a bad JWT) the library logs in again, once, and resends
     * the same request. Any other status is returned as a Response: use
     * Response::throwForStatus() to turn 4xx/5xx into an exception.
     *
     * @param array{json?: mixed, body?: string, form?: array<string, mixed>,
     *     headers?: array<string, string|int|float|list<string|int|float>>,
     *     query?: array<string, mixed>|string} $options
     * @throws InvalidArgumentException for an unknown method or option, a bad header, or a URL
     *         of another origin
     * @throws AuthTokenException UnauthorizedException when a fresh token is refused too; the
     *         login errors of token(); NetworkException, TimeoutException, TlsException,
     *         ProtocolException from the request
     */
    public function request(string $method, string $url, array $options = []): Response
    {
        $unknown = array_diff(array_keys($options), self::REQUEST_OPTIONS);
        if ($unknown !== []) {
            throw new InvalidArgumentException(sprintf(
                'unknown request option `%s` (known: %s)',
                implode('`, `', $unknown),
                implode(', ', self::REQUEST_OPTIONS),
            ));
        }
        $bodies = array_values(array_intersect(['json', 'body', 'form'], array_keys($options)));
        if (count($bodies) > 1) {
            throw new InvalidArgumentException('give one of the request options `' . implode('`, `', $bodies) . '`');
        }
        $headers = self::headerPairs($options['headers'] ?? []);
        $body = null;
        if (array_key_exists('json', $options)) {
            try {
                $body = json_encode($options['json'], self::jsonFlags());
            } catch (\JsonException $e) {
                throw new InvalidArgumentException('the `json` option cannot be encoded as JSON: ' . $e->getMessage());
            }
            self::defaultHeader($headers, 'Content-Type', 'application/json');
        } elseif (array_key_exists('body', $options)) {
            $body = $options['body'];
            if ($body instanceof \Stringable) {
                $body = (string) $body;
            }
            if (!is_string($body)) {
                throw new InvalidArgumentException('the `body` option must be a string, not ' . get_debug_type($body));
            }
        } elseif (array_key_exists('form', $options)) {
            if (!is_array($options['form'])) {
                throw new InvalidArgumentException(
                    'the `form` option must be an array, not ' . get_debug_type($options['form'])
                );
            }
            $body = self::encodePairs($options['form'], 'form');
            self::defaultHeader($headers, 'Content-Type', 'application/x-www-form-urlencoded');
        }
        if (array_key_exists('query', $options)) {
            $url = self::withQuery($url, $options['query']);
        }
        return $this->send($method, $url, $headers, $body);
    }

    /**
     * A signed GET. See request() for the options and errors.
     *
     * @param array<string, mixed> $options
     * @throws AuthTokenException
     */
    public function get(string $url, array $options = []): Response
    {
        return $this->request('GET', $url, $options);
    }

    /**
     * A signed POST. See request() for the options and errors.
     *
     * @param array<string, mixed> $options
     * @throws AuthTokenException
     */
    public function post(string $url, array $options = []): Response
    {
        return $this->request('POST', $url, $options);
    }

    /**
     * A signed PUT. See request() for the options and errors.
     *
     * @param array<string, mixed> $options
     * @throws AuthTokenException
     */
    public function put(string $url, array $options = []): Response
    {
        return $this->request('PUT', $url, $options);
    }

    /**
     * A signed PATCH. See request() for the options and errors.
     *
     * @param array<string, mixed> $options
     * @throws AuthTokenException
     */
    public function patch(string $url, array $options = []): Response
    {
        return $this->request('PATCH', $url, $options);
    }

    /**
     * A signed DELETE. See request() for the options and errors.
     *
     * @param array<string, mixed> $options
     * @throws AuthTokenException
     */
    public function delete(string $url, array $options = []): Response
    {
        return $this->request('DELETE', $url, $options);
    }

    /**
     * Logs out: revokes the token on the server (TPStreams, Testpress; the others have no
     * logout endpoint) and removes it from the cache, so that every process sharing it logs in
     * again on its next use. Without a token nothing is sent. When the server fails to revoke,
     * the token is kept (so that logout can be retried) and the error thrown. The client stays
     * usable.
     *
     * @throws AuthTokenException NetworkException, TimeoutException, ServerException,
     *         ForbiddenException, ... from the logout request; StoreException
     */
    public function logout(): void
    {
        $code = $this->ffi->authtoken_client_logout($this->handle());
        if ($code !== 0) {
            throw Library::lastError($code);
        }
    }

    /**
     * Forgets the token locally (in memory and in the cache) without revoking it on the server.
     *
     * @throws AuthTokenException StoreException
     */
    public function forget(): void
    {
        $code = $this->ffi->authtoken_client_forget($this->handle());
        if ($code !== 0) {
            throw Library::lastError($code);
        }
    }

    /**
     * Whether an answer with $status and $body to a request signed with this client's token
     * says the token was refused, for code that sends requests with its own HTTP client: a
     * 401, or, for Testpress, a 403 whose message is one of its JWT views' rejections. The
     * core decides, by the rule its own requests follow; when true, invalidate() the header
     * that was sent, take a fresh one and resend once.
     *
     * @throws AuthTokenException InvalidArgumentException for a closed client
     */
    public function isRefused(int $status, string $body = ''): bool
    {
        if ($status < 0 || $status > 65535) {
            throw new InvalidArgumentException("HTTP status $status is out of range (0..65535)");
        }
        $length = strlen($body);
        $bytes = $this->ffi->new('uint8_t[' . max(1, $length) . ']');
        if ($length > 0) {
            FFI::memcpy($bytes, $body, $length);
        }
        $refused = $this->ffi->new('bool');
        $code = $this->ffi->authtoken_client_is_refused($this->handle(), $status, $bytes, $length, FFI::addr($refused));
        if ($code !== 0) {
            throw Library::lastError($code);
        }
        return (bool) $refused->cdata;
    }

    /**
     * Throws unless this client's Authorization header may be sent to $url: an absolute
     * http:// or https:// URL with the base URL's scheme, host and port, the one origin the
     * token is ever sent to. For code that adds authorizationHeader() to its own requests.
     *
     * @throws AuthTokenException InvalidArgumentException naming what was wrong
     */
    public function checkUrl(string $url): void
    {
        $code = $this->ffi->authtoken_client_check_url($this->handle(), $url);
        if ($code !== 0) {
            throw Library::lastError($code);
        }
    }

    /**
     * Compare-and-invalidate, for code that sends requests with its own HTTP client (ext-curl,
     * Guzzle) and got a 401: forgets $failed (the token, or the whole header value) only while
     * it is still the current token, in this process and in the shared cache. Many workers
     * reporting the same refused token cause one login, and a token another worker has just
     * obtained is kept. Call authorizationHeader() again afterwards.
     *
     * @return bool whether this call forgot the token (false: it was already replaced)
     * @throws AuthTokenException InvalidArgumentException for an empty $failed, StoreException
     */
    public function invalidate(#[\SensitiveParameter] string $failed): bool
    {
        $forgotten = $this->ffi->new('bool');
        $code = $this->ffi->authtoken_client_invalidate($this->handle(), $failed, FFI::addr($forgotten));
        if ($code !== 0) {
            throw Library::lastError($code);
        }
        return (bool) $forgotten->cdata;
    }

    /**
     * The base URL requests are sent to, without a trailing slash.
     *
     * @throws InvalidArgumentException when the client was closed
     */
    public function baseUrl(): string
    {
        $code = $this->ffi->authtoken_client_base_url($this->handle(), FFI::addr($this->out));
        if ($code !== 0) {
            throw Library::lastError($code);
        }
        return $this->takeOut();
    }

    /**
     * What var_dump() and print_r() show: the base URL and whether the client is closed.
     * Never the password or the token.
     *
     * @return array<string, mixed>
     */
    public function __debugInfo(): array
    {
        return [
            'baseUrl' => $this->handle === null ? null : $this->baseUrl(),
            'closed' => $this->handle === null,
        ];
    }

    /** Refuses: a native handle cannot be serialized. */
    public function __serialize(): array
    {
        throw new \LogicException('an AuthToken\Client holds a native handle and cannot be serialized');
    }

    /**
     * Refuses: a native handle cannot be unserialized.
     *
     * @param array<mixed> $data
     */
    public function __unserialize(array $data): void
    {
        throw new \LogicException('an AuthToken\Client holds a native handle and cannot be unserialized');
    }

    /** Cloning would share the native handle and free it twice: create another Client instead. */
    private function __clone()
    {
    }

    private function open(#[\SensitiveParameter] string $json): void
    {
        $this->ffi = Library::ffi();
        $this->out = $this->ffi->new('char *');
        // Arrays of one, so that each call passes them as pointers without an FFI::addr().
        $this->responseSlot = $this->ffi->new('authtoken_response *[1]');
        $this->parts = $this->ffi->new('authtoken_response_parts[1]');
        $this->serialOut = $this->ffi->new('uint64_t[1]');
        $handle = $this->ffi->new('authtoken_client *');
        $code = $this->ffi->authtoken_client_new($json, FFI::addr($handle));
        if ($code !== 0) {
            throw Library::lastError($code);
        }
        $this->handle = $handle;
    }

    private function handle(): CData
    {
        return $this->handle ?? throw new InvalidArgumentException(self::CLOSED);
    }

    /** The owned string the last call wrote to $this->out, copied, then freed and wiped. */
    private function takeOut(): string
    {
        try {
            return FFI::string($this->out);
        } finally {
            $this->ffi->authtoken_string_free($this->out);
        }
    }

    /**
     * @param list<array{0: string, 1: string}> $headers
     * @throws AuthTokenException
     */
    private function send(string $method, string $url, array $headers, ?string $body): Response
    {
        $handle = $this->handle();
        try {
            $headersJson = $headers === [] ? null : json_encode($headers, self::jsonFlags());
        } catch (\JsonException $e) {
            throw new InvalidArgumentException(
                'the headers cannot be encoded (they must be UTF-8): ' . $e->getMessage()
            );
        }
        $bodyPtr = null;
        $bodyLen = 0;
        if ($body !== null) {
            $bodyLen = strlen($body);
            // Owned by PHP, freed when $bodyPtr goes out of scope; never empty (a 0-length C
            // array is not allowed), the length says how much to send.
            $bodyPtr = $this->ffi->new('uint8_t[' . max(1, $bodyLen) . ']');
            if ($bodyLen > 0) {
                FFI::memcpy($bodyPtr, $body, $bodyLen);
            }
        }
        $code = $this->ffi->authtoken_client_request(
            $handle,
            $method,
            $url,
            $headersJson,
            $bodyPtr,
            $bodyLen,
            $this->responseSlot,
        );
        if ($code !== 0) {
            throw Library::lastError($code);
        }
        $response = $this->responseSlot[0];
        try {
            return $this->readResponse($response);
        } finally {
            $this->ffi->authtoken_response_free($response);
        }
    }

    /** Copies everything out of a native response (which the caller frees), in one crossing. */
    private function readResponse(CData $response): Response
    {
        $this->check($this->ffi->authtoken_response_read($response, $this->parts));
        $parts = $this->parts[0];
        $headers = [];
        if ($parts->header_count > 0) {
            // `name NUL value NUL ...`: names and values in turn.
            $fields = explode("\0", FFI::string($parts->headers, $parts->headers_len));
            for ($i = 0, $n = count($fields); $i < $n; $i += 2) {
                $headers[$fields[$i]][] = $fields[$i + 1];
            }
        }
        $statusError = null;
        if ($parts->status_result !== 0) {
            $code = $this->ffi->authtoken_response_error_for_status($response);
            $statusError = [$code, ...Library::lastErrorDetails($code)];
        }
        return new Response(
            $parts->status,
            $headers,
            FFI::string($parts->body, $parts->body_len),
            FFI::string($parts->url, $parts->url_len),
            $statusError,
        );
    }

    private function check(int $code): void
    {
        if ($code !== 0) {
            throw Library::lastError($code);
        }
    }

    /**
     * `['Name' => 'v', 'X-Multi' => ['a', 'b']]` as `[name, value]` pairs.
     *
     * @return list<array{0: string, 1: string}>
     */
    private static function headerPairs(mixed $headers): array
    {
        if (!is_array($headers)) {
            throw new InvalidArgumentException(
                'the `headers` option must be an array of name => value, not ' . get_debug_type($headers)
            );
        }
        $pairs = [];
        foreach ($headers as $name => $values) {
            if (!is_string($name)) {
                throw new InvalidArgumentException(
                    'the `headers` option must be an array of name => value (a header name is missing)'
                );
            }
            foreach (is_array($values) ? $values : [$values] as $value) {
                if (!is_string($value) && !is_int($value) && !is_float($value)) {
                    throw new InvalidArgumentException(
                        "the value of header `$name` must be a string, not " . get_debug_type($value)
                    );
                }
                $pairs[] = [$name, (string) $value];
            }
        }
        return $pairs;
    }

    /** @param list<array{0: string, 1: string}> $headers */
    private static function defaultHeader(array &$headers, string $name, string $value): void
    {
        foreach ($headers as [$given]) {
            if (strcasecmp($given, $name) === 0) {
                return;
            }
        }
        $headers[] = [$name, $value];
    }

    private static function withQuery(string $url, mixed $query): string
    {
        if (is_array($query)) {
            $query = self::encodePairs($query, 'query');
        } elseif (!is_string($query)) {
            throw new InvalidArgumentException(
                'the `query` option must be an array or a string, not ' . get_debug_type($query)
            );
        }
        $query = ltrim($query, '?&');
        if ($query === '') {
            return $url;
        }
        $fragment = '';
        $hash = strpos($url, '#');
        if ($hash !== false) {
            $fragment = substr($url, $hash);
            $url = substr($url, 0, $hash);
        }
        $separator = !str_contains($url, '?') ? '?' : (str_ends_with($url, '?') || str_ends_with($url, '&') ? '' : '&');
        return $url . $separator . $query . $fragment;
    }

    /**
     * `name=value&...`, url-encoded (spaces as `+`); a list value repeats its name; nulls are
     * left out; booleans are 1 and 0.
     *
     * @param array<mixed> $pairs
     */
    private static function encodePairs(array $pairs, string $option): string
    {
        $parts = [];
        foreach ($pairs as $name => $value) {
            if (is_array($value) && !array_is_list($value)) {
                throw new InvalidArgumentException(
                    "`$option` parameter `$name`: nested arrays are not supported (a list repeats the name)"
                );
            }
            foreach (is_array($value) ? $value : [$value] as $item) {
                if ($item === null) {
                    continue;
                }
                if (is_bool($item)) {
                    $item = $item ? '1' : '0';
                } elseif ($item instanceof \Stringable) {
                    $item = (string) $item;
                } elseif (!is_scalar($item)) {
                    throw new InvalidArgumentException(
                        "`$option` parameter `$name` must be a scalar or a list of scalars, not "
                        . get_debug_type($item)
                    );
                }
                $parts[] = urlencode((string) $name) . '=' . urlencode((string) $item);
            }
        }
        return implode('&', $parts);
    }

    private static function jsonFlags(): int
    {
        return JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION;
    }
}
