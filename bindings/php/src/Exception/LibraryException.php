<?php

declare(strict_types=1);

namespace AuthToken\Exception;

use AuthToken\AuthTokenException;

/**
 * The native library could not be used: ext-ffi is missing or disabled (`ffi.enable`), or
 * libauthtoken was not found or could not be loaded. The message says which, and how to fix
 * it. Code 0 and kind `library`: this failure happens before the library runs, so it has no
 * code in the C ABI.
 */
class LibraryException extends AuthTokenException
{
    public const CODE = 0;
    public const KIND = 'library';
}
