<?php

declare(strict_types=1);

namespace AuthToken\Exception;

use AuthToken\AuthTokenException;

/**
 * Error kind `tls`, code 9 (the same number in the C ABI and every binding).
 *
 * TLS failed (certificate, handshake), or `ca_file` could not be read.
 */
class TlsException extends AuthTokenException
{
    public const CODE = 9;
    public const KIND = 'tls';
}
