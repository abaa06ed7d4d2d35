<?php

/**
 * A sample opcache preload script for PHP-FPM. It compiles the AuthToken\ classes into
 * opcache, which PHP's default `ffi.enable=preload` requires of any code that uses FFI outside
 * the CLI, and registers libauthtoken under the FFI scope `authtoken` unless php.ini's
 * `ffi.preload` did, so that requests use FFI::scope('authtoken') (nothing parsed or opened
 * per request):
 *
 *   opcache.enable=1
 *   opcache.preload=/srv/app/vendor/authtoken/authtoken/preload.php
 *   ffi.enable=preload
 *   ; when the FPM master runs as root (opcache.preload_user=www-data), PHP refuses FFI::load():
 *   ; register the library at startup instead, with a header from vendor/bin/authtoken-ffi-header
 *   ffi.preload=/etc/php/8.2/fpm/authtoken.h
 *
 * The library path is AUTHTOKEN_LIB (in the FPM master's environment) or the package's
 * default locations.
 */

declare(strict_types=1);

require __DIR__ . '/autoload.php';

$sources = new RecursiveIteratorIterator(
    new RecursiveDirectoryIterator(__DIR__ . '/src', FilesystemIterator::SKIP_DOTS)
);
foreach ($sources as $file) {
    $relative = substr($file->getPathname(), strlen(__DIR__ . '/src/'), -strlen('.php'));
    class_exists('AuthToken\\' . str_replace('/', '\\', $relative));
}

// With php.ini `ffi.preload` (needed when opcache.preload_user is in effect) the scope exists
// already; otherwise register it here.
if (!AuthToken\Library::scopeExists()) {
    AuthToken\Library::preload();
}
