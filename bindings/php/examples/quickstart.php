<?php

/**
 * Log in once, call the API, log out. Against the local emulator:
 *
 *   scripts/with-emulator.sh env AUTHTOKEN_PASSWORD=demo-password php bindings/php/examples/quickstart.php
 *
 * For the real service, drop `base_url` and set AUTHTOKEN_PASSWORD to your password.
 */

declare(strict_types=1);

require __DIR__ . '/../autoload.php'; // with Composer: require 'vendor/autoload.php';

use AuthToken\AuthTokenException;
use AuthToken\Client;
use AuthToken\Exception\TokenLimitException;

$org = 'auhf2k';
$client = new Client([
    'provider' => 'tpstreams',
    'username' => 'hari@example.com',
    'organization_id' => $org,
    // The password comes from AUTHTOKEN_PASSWORD when the config has none.
    'base_url' => getenv('AUTHTOKEN_EMULATOR') . '/tpstreams',
]);

try {
    // Logs in only if no process of this user holds a valid token (file cache, ~/.cache/authtoken).
    $assets = $client->get("/api/v1/$org/assets/")->throwForStatus()->json();
    foreach ($assets as $asset) {
        echo "{$asset['id']}: {$asset['title']}\n";
    }
    $created = $client->post("/api/v1/$org/assets/videos/", ['json' => ['title' => 'Intro']]);
    echo "POST videos/ -> {$created->status} {$created->body}\n";
} catch (TokenLimitException $e) {
    // 3, 403, "Maximum amount of tokens allowed per user exceeded."
    echo "token limit ({$e->getCode()}, HTTP {$e->getStatus()}): {$e->getServerMessage()}\n";
} catch (AuthTokenException $e) {
    echo "{$e->getKind()} ({$e->getCode()}): {$e->getMessage()}\n";
}

// Revokes the token and removes it from the cache (every process logs in again next time).
$client->logout();
echo "logged out\n";
