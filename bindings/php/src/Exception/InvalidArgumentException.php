<?php

declare(strict_types=1);

namespace AuthToken\Exception;

use AuthToken\AuthTokenException;

/**
 * Error kind `invalid_argument`, code 14 (the same number in the C ABI and every binding).
 *
 * An argument was invalid: an unknown HTTP method or request option, a bad header, a URL of
 * another origin, or a closed client. (Not PHP's own \InvalidArgumentException.)
 */
class InvalidArgumentException extends AuthTokenException
{
    public const CODE = 14;
    public const KIND = 'invalid_argument';
}
