<?php

declare(strict_types=1);

namespace AuthToken\Exception;

use AuthToken\AuthTokenException;

/**
 * Error kind `timeout`, code 8 (the same number in the C ABI and every binding).
 *
 * The server did not answer within `timeout_ms` / `connect_timeout_ms`.
 */
class TimeoutException extends AuthTokenException
{
    public const CODE = 8;
    public const KIND = 'timeout';
}
