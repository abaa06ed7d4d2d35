<?php

declare(strict_types=1);

namespace AuthToken;

/**
 * The answer to a signed request: status, headers, the whole body and the final URL.
 *
 * Everything is copied out of the library when the response arrives; the object holds no
 * native resource, is immutable, and stays valid after its client is closed.
 *
 * Any status is a response (only a 401 that persists after logging in again is an
 * exception): check `$response->status`, or call throwForStatus().
 */
final class Response
{
    /**
     * @param int $status the HTTP status code
     * @param array<string, list<string>> $headers lower-case names => values, in the order
     *        received (a repeated header has several values)
     * @param string $body the body, as bytes
     * @param string $url the final URL (after redirects)
     * @param array{0: int, 1: string, 2: int|null, 3: string|null, 4: string|null, 5: float|null}|null $statusError
     *        what the library says about an error status (code, message, status, server
     *        message, server error code, Retry-After), null for statuses below 400
     */
    public function __construct(
        public readonly int $status,
        public readonly array $headers,
        public readonly string $body,
        public readonly string $url,
        private readonly ?array $statusError = null,
    ) {
    }

    /** The first value of a header (the name is case-insensitive), or null when absent. */
    public function header(string $name): ?string
    {
        return $this->headers[strtolower($name)][0] ?? null;
    }

    /** Whether the status is 2xx. */
    public function ok(): bool
    {
        return $this->status >= 200 && $this->status < 300;
    }

    /**
     * The body decoded as JSON (objects as associative arrays unless `$associative` is false).
     *
     * @throws \JsonException when the body is not JSON
     */
    public function json(bool $associative = true): mixed
    {
        return json_decode($this->body, $associative, 512, JSON_THROW_ON_ERROR);
    }

    /**
     * Returns $this for a status below 400; otherwise throws the exception of the kind the
     * status maps to, the same in every binding: 401 UnauthorizedException, 403
     * ForbiddenException, 429 RateLimitedException (with getRetryAfter()), 5xx
     * ServerException, other 4xx HttpStatusException, each with the status, the server's
     * message and this response (getResponse()).
     *
     * @throws AuthTokenException
     */
    public function throwForStatus(): static
    {
        if ($this->statusError !== null) {
            [$code, $message, $status, $server, $serverCode, $retryAfter] = $this->statusError;
            throw AuthTokenException::forCode($code, $message, $status, $server, $serverCode, $retryAfter, $this);
        }
        return $this;
    }
}
