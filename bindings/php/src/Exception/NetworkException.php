<?php

declare(strict_types=1);

namespace AuthToken\Exception;

use AuthToken\AuthTokenException;

/**
 * Error kind `network`, code 7 (the same number in the C ABI and every binding).
 *
 * The server could not be reached, or the connection broke.
 */
class NetworkException extends AuthTokenException
{
    public const CODE = 7;
    public const KIND = 'network';
}
