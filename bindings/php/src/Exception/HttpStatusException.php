<?php

declare(strict_types=1);

namespace AuthToken\Exception;

use AuthToken\AuthTokenException;

/**
 * Error kind `http_status`, code 15 (the same number in the C ABI and every binding).
 *
 * Response::throwForStatus() saw a 4xx status other than 401, 403 and 429.
 */
class HttpStatusException extends AuthTokenException
{
    public const CODE = 15;
    public const KIND = 'http_status';
}
