<?php

/**
 * Guzzle, sending through authtoken (signed, logged in again and resent on a 401):
 *
 *   scripts/with-emulator.sh env AUTHTOKEN_PASSWORD=demo-password php bindings/php/examples/guzzle.php
 */

declare(strict_types=1);

require __DIR__ . '/../autoload.php';
require_once 'GuzzleHttp/autoload.php'; // Debian's php-guzzlehttp-guzzle; with Composer: vendor/autoload.php

$client = new AuthToken\Client([
    'provider' => 'tpstreams',
    'username' => 'hari@example.com',
    'organization_id' => 'auhf2k',
    'base_url' => getenv('AUTHTOKEN_EMULATOR') . '/tpstreams',
]);
$guzzle = new GuzzleHttp\Client([
    'handler' => GuzzleHttp\HandlerStack::create(new AuthToken\Guzzle\Handler($client)),
    'base_uri' => $client->baseUrl() . '/',
]);

$response = $guzzle->post('api/v1/auhf2k/assets/videos/', ['json' => ['title' => 'Intro']]);
echo 'POST videos/ -> ' . $response->getStatusCode() . ' ' . $response->getBody() . "\n";

// Or only the header, with Guzzle's own transfer (no re-login on 401):
$plain = new GuzzleHttp\Client(['base_uri' => $client->baseUrl() . '/']);
$response = $plain->get('api/v1/auhf2k/assets/', ['headers' => ['Authorization' => $client->authorizationHeader()]]);
echo 'GET assets/ -> ' . $response->getStatusCode() . "\n";
