<?php

/*
 * The leak check's PHP program, run by scripts/leak-check.sh: resident memory (VmRSS) after a
 * warm-up, after 100,000 warm authorizationHeader() calls, and after 10,000 signed GETs (each
 * Response dropped) against the emulator at $AUTHTOKEN_EMULATOR. Prints one RESULT line for
 * the driver, which holds the growth to its bounds.
 */

declare(strict_types=1);

require __DIR__ . '/../../bindings/php/autoload.php';

use AuthToken\Client;

const HEADERS = 100000;
const REQUESTS = 10000;

function rssKib(): int
{
    gc_collect_cycles();
    preg_match('/^VmRSS:\s+(\d+)/m', (string) file_get_contents('/proc/self/status'), $m);
    return (int) $m[1];
}

$client = new Client([
    'provider' => 'tpstreams',
    'username' => 'leak-php',
    'password' => 'demo-password',
    'organization_id' => 'leak-php',
    'base_url' => getenv('AUTHTOKEN_EMULATOR') . '/tpstreams',
]);
$headers = function (int $n) use ($client): void {
    for ($i = 0; $i < $n; $i++) {
        if (!str_starts_with($client->authorizationHeader(), 'Token ')) {
            throw new RuntimeException('bad header');
        }
    }
};
$requests = function (int $n) use ($client): void {
    for ($i = 0; $i < $n; $i++) {
        $r = $client->get('/api/echo/');
        if ($r->status !== 200 || $r->body === '') {
            throw new RuntimeException("HTTP {$r->status}");
        }
    }
};
$headers(10000);
$requests(1000);
$warm = rssKib();
$t = hrtime(true);
$headers(HEADERS);
$afterHeaders = rssKib();
$headerS = (hrtime(true) - $t) / 1e9;
$t = hrtime(true);
$requests(REQUESTS);
$afterRequests = rssKib();
$requestS = (hrtime(true) - $t) / 1e9;
$client->close();
printf("RESULT php %d %d %d %.2f %.2f\n", $warm, $afterHeaders, $afterRequests, $headerS, $requestS);
