<?php

declare(strict_types=1);

namespace AuthToken\Exception;

use AuthToken\AuthTokenException;

/**
 * Error kind `rate_limited`, code 6 (the same number in the C ABI and every binding).
 *
 * The server answered 429 and retrying within the allowed wait did not help; getRetryAfter() says
 * how long the server asked to wait.
 */
class RateLimitedException extends AuthTokenException
{
    public const CODE = 6;
    public const KIND = 'rate_limited';
}
