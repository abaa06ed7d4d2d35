<?php

declare(strict_types=1);

namespace AuthToken\Exception;

use AuthToken\AuthTokenException;

/**
 * Error kind `unauthorized`, code 4 (the same number in the C ABI and every binding).
 *
 * A signed request was refused with 401 even after logging in again.
 */
class UnauthorizedException extends AuthTokenException
{
    public const CODE = 4;
    public const KIND = 'unauthorized';
}
