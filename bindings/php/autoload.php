<?php

/**
 * A PSR-4 autoloader for the AuthToken\ classes, for use without Composer
 * (`require '/path/to/authtoken/autoload.php';`). With Composer, vendor/autoload.php does this.
 * Loading a class never loads the native library: that happens on first use.
 */

declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    $prefix = 'AuthToken\\';
    if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
        return;
    }
    $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
