<?php

declare(strict_types=1);

namespace AuthToken\Exception;

use AuthToken\AuthTokenException;

/**
 * Error kind `lock_timeout`, code 13 (the same number in the C ABI and every binding).
 *
 * Another process held the login lock for longer than `lock_timeout_ms`.
 */
class LockTimeoutException extends AuthTokenException
{
    public const CODE = 13;
    public const KIND = 'lock_timeout';
}
