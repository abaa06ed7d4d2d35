<?php

/**
 * The PHP process of the Node storm test: `php storm-worker.php CONFIG_JSON CALLS` (the library
 * from AUTHTOKEN_LIB). Prints "ready", waits for a line on stdin so that every process starts
 * at once, sends CALLS signed GETs (one after another: a PHP worker has one thread) and prints
 * {headers, errors}: the Authorization headers the server saw.
 */

declare(strict_types=1);

require dirname(__DIR__, 2) . '/php/autoload.php';

[, $config, $calls] = $argv;
$client = AuthToken\Client::fromJson($config);
fwrite(STDOUT, "ready\n");
fflush(STDOUT);
fgets(STDIN);
$headers = [];
$errors = [];
for ($i = 0; $i < (int) $calls; $i++) {
    try {
        $echo = $client->get('/api/echo/')->throwForStatus()->json();
        $headers[] = $echo['headers']['authorization'];
    } catch (Throwable $e) {
        $errors[] = get_class($e) . ': ' . $e->getMessage();
    }
}
fwrite(STDOUT, json_encode(['headers' => $headers, 'errors' => $errors], JSON_THROW_ON_ERROR) . "\n");
