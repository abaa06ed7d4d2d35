<?php

declare(strict_types=1);

namespace AuthToken\Exception;

use AuthToken\AuthTokenException;

/**
 * Error kind `token_limit`, code 3 (the same number in the C ABI and every binding).
 *
 * The service refused to issue another token (TPStreams' 20 live tokens per organization,
 * Testpress' parallel-login limits). Log out unused tokens.
 */
class TokenLimitException extends AuthTokenException
{
    public const CODE = 3;
    public const KIND = 'token_limit';
}
