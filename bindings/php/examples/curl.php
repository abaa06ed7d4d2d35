<?php

/**
 * Keep your curl code: ask authtoken for the Authorization header on each request (a warm
 * call reads the cached token, ~1-2 µs). When the core says the token was refused
 * (isRefused()), invalidate() it and retry once.
 *
 *   scripts/with-emulator.sh env AUTHTOKEN_PASSWORD=demo-password php bindings/php/examples/curl.php
 */

declare(strict_types=1);

require __DIR__ . '/../autoload.php';

$client = new AuthToken\Client([
    'provider' => 'tpstreams',
    'username' => 'hari@example.com',
    'organization_id' => 'auhf2k',
    'base_url' => getenv('AUTHTOKEN_EMULATOR') . '/tpstreams',
]);

$curl = curl_init($client->baseUrl() . '/api/v1/auhf2k/assets/');
curl_setopt($curl, CURLOPT_RETURNTRANSFER, true);
for ($attempt = 1; $attempt <= 2; $attempt++) {
    $header = $client->authorizationHeader();
    curl_setopt($curl, CURLOPT_HTTPHEADER, ["Authorization: $header"]);
    $body = curl_exec($curl);
    $status = curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
    if (!$client->isRefused($status, (string) $body)) {
        break;
    }
    // Refused: forget this token unless another worker already replaced it (one login for all).
    $client->invalidate($header);
}
echo "GET assets/ -> $status, " . count(json_decode((string) $body, true)) . " assets\n";
