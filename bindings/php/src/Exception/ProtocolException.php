<?php

declare(strict_types=1);

namespace AuthToken\Exception;

use AuthToken\AuthTokenException;

/**
 * Error kind `protocol`, code 11 (the same number in the C ABI and every binding).
 *
 * The server's answer could not be understood (bad JSON, no token, too large).
 */
class ProtocolException extends AuthTokenException
{
    public const CODE = 11;
    public const KIND = 'protocol';
}
