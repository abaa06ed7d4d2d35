<?php

declare(strict_types=1);

namespace AuthToken\Exception;

use AuthToken\AuthTokenException;

/**
 * Error kind `internal`, code 16 (the same number in the C ABI and every binding).
 *
 * A bug inside the library (a panic, caught at the boundary); the client stays usable. Please
 * report the message.
 */
class InternalException extends AuthTokenException
{
    public const CODE = 16;
    public const KIND = 'internal';
}
