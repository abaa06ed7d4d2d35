<?php

/**
 * PHPUnit bootstrap: the package's own autoloader (no Composer needed) and the tests' classes.
 * The emulator comes from AUTHTOKEN_EMULATOR (scripts/with-emulator.sh), or is started here.
 */

declare(strict_types=1);

require dirname(__DIR__) . '/autoload.php';

spl_autoload_register(static function (string $class): void {
    $prefix = 'AuthToken\\Tests\\';
    if (strncmp($class, $prefix, strlen($prefix)) === 0) {
        $file = __DIR__ . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
