<?php

declare(strict_types=1);

namespace AuthToken\Exception;

use AuthToken\AuthTokenException;

/**
 * Error kind `server`, code 10 (the same number in the C ABI and every binding).
 *
 * The server answered with a 5xx status at login or logout, or Response::throwForStatus() saw a 5xx.
 */
class ServerException extends AuthTokenException
{
    public const CODE = 10;
    public const KIND = 'server';
}
