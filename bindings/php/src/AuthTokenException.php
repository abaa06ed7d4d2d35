<?php

declare(strict_types=1);

namespace AuthToken;

/**
 * The base of every error authtoken throws.
 *
 * There is one subclass per error kind, in `AuthToken\Exception\` (`TokenLimitException`,
 * `InvalidCredentialsException`, ...). `getCode()` is the kind's numeric code, the same number
 * as the C ABI's `authtoken_result` and the other bindings (1 `invalid_config` ... 16
 * `internal`); `getKind()` is its stable snake_case name. Where there was an HTTP answer,
 * `getStatus()` holds its status and `getServerMessage()` the server's own message (from
 * `detail`, `message`, `error` or `non_field_errors`).
 *
 * Messages never contain a password or a token. Instances are immutable.
 */
class AuthTokenException extends \RuntimeException
{
    /** The kind's numeric code (0 for this base class and LibraryException). */
    public const CODE = 0;
    /** The kind's stable snake_case name. */
    public const KIND = 'unknown';

    /** @var array<int, class-string<AuthTokenException>> */
    private const CLASSES = [
        1 => Exception\InvalidConfigException::class,
        2 => Exception\InvalidCredentialsException::class,
        3 => Exception\TokenLimitException::class,
        4 => Exception\UnauthorizedException::class,
        5 => Exception\ForbiddenException::class,
        6 => Exception\RateLimitedException::class,
        7 => Exception\NetworkException::class,
        8 => Exception\TimeoutException::class,
        9 => Exception\TlsException::class,
        10 => Exception\ServerException::class,
        11 => Exception\ProtocolException::class,
        12 => Exception\StoreException::class,
        13 => Exception\LockTimeoutException::class,
        14 => Exception\InvalidArgumentException::class,
        15 => Exception\HttpStatusException::class,
        16 => Exception\InternalException::class,
    ];

    private ?string $kindName = null;

    /**
     * @param string $message a complete sentence (never holding a secret)
     * @param int|null $status the HTTP status of the answer that caused the error, if any
     * @param string|null $serverMessage the server's own message, if it sent one
     * @param string|null $serverErrorCode the server's `error_code` (Testpress' login limits)
     * @param float|null $retryAfter seconds the server asked to wait (`Retry-After`)
     * @param Response|null $response the response, for errors from Response::throwForStatus()
     */
    public function __construct(
        string $message,
        private readonly ?int $status = null,
        private readonly ?string $serverMessage = null,
        private readonly ?string $serverErrorCode = null,
        private readonly ?float $retryAfter = null,
        private readonly ?Response $response = null,
        ?\Throwable $previous = null,
    ) {
        parent::__construct($message, static::CODE, $previous);
    }

    /**
     * The exception for an error code of the C ABI: an instance of the kind's class, or of this
     * base class for a code this version does not know (a newer library), keeping the code.
     */
    public static function forCode(
        int $code,
        string $message,
        ?int $status = null,
        ?string $serverMessage = null,
        ?string $serverErrorCode = null,
        ?float $retryAfter = null,
        ?Response $response = null,
    ): self {
        $class = self::CLASSES[$code] ?? null;
        if ($class !== null) {
            return new $class($message, $status, $serverMessage, $serverErrorCode, $retryAfter, $response);
        }
        $error = new self($message, $status, $serverMessage, $serverErrorCode, $retryAfter, $response);
        $error->code = $code;
        $error->kindName = "unknown_$code";
        return $error;
    }

    /**
     * The class for each error code.
     *
     * @return array<int, class-string<AuthTokenException>>
     */
    public static function classes(): array
    {
        return self::CLASSES;
    }

    /** The kind's stable snake_case name: `token_limit`, `invalid_credentials`, ... */
    public function getKind(): string
    {
        return $this->kindName ?? static::KIND;
    }

    /** The HTTP status of the answer that caused the error (400, 403, ...), or null when there was none. */
    public function getStatus(): ?int
    {
        return $this->status;
    }

    /** The server's own message (`Unable to log in with provided credentials.`), or null. */
    public function getServerMessage(): ?string
    {
        return $this->serverMessage;
    }

    /** The server's `error_code` (`max_login_exceeded`, `parallel_login_restriction`), or null. */
    public function getServerErrorCode(): ?string
    {
        return $this->serverErrorCode;
    }

    /** How long the server asked to wait before retrying (`Retry-After`), in seconds, or null. */
    public function getRetryAfter(): ?float
    {
        return $this->retryAfter;
    }

    /** The response, for errors thrown by Response::throwForStatus(); null otherwise. */
    public function getResponse(): ?Response
    {
        return $this->response;
    }
}
