<?php

declare(strict_types=1);

namespace AuthToken\Exception;

use AuthToken\AuthTokenException;

/**
 * Error kind `store`, code 12 (the same number in the C ABI and every binding).
 *
 * The token store (file cache, Redis) failed or refused an unsafe entry.
 */
class StoreException extends AuthTokenException
{
    public const CODE = 12;
    public const KIND = 'store';
}
