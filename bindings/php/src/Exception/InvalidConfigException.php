<?php

declare(strict_types=1);

namespace AuthToken\Exception;

use AuthToken\AuthTokenException;

/**
 * Error kind `invalid_config`, code 1 (the same number in the C ABI and every binding).
 *
 * The configuration is malformed, or a key is missing, unknown, mistyped or not valid for the
 * provider (the message names the key, never the password).
 */
class InvalidConfigException extends AuthTokenException
{
    public const CODE = 1;
    public const KIND = 'invalid_config';
}
