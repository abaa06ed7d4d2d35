<?php

declare(strict_types=1);

namespace AuthToken\Exception;

use AuthToken\AuthTokenException;

/**
 * Error kind `forbidden`, code 5 (the same number in the C ABI and every binding).
 *
 * The server answered 403 at login or logout, or Response::throwForStatus() saw a 403.
 */
class ForbiddenException extends AuthTokenException
{
    public const CODE = 5;
    public const KIND = 'forbidden';
}
