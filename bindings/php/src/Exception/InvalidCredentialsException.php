<?php

declare(strict_types=1);

namespace AuthToken\Exception;

use AuthToken\AuthTokenException;

/**
 * Error kind `invalid_credentials`, code 2 (the same number in the C ABI and every binding).
 *
 * The server refused the username and password at login (status 400 or 401); getServerMessage()
 * holds the server's words.
 */
class InvalidCredentialsException extends AuthTokenException
{
    public const CODE = 2;
    public const KIND = 'invalid_credentials';
}
