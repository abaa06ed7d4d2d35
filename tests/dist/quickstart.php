<?php

/**
 * The PHP install quickstart (README "Install"), as make test-dist runs it: the package
 * installed by Composer from its release archive. Prints the scheme of the header, the status
 * of a signed GET and the library's version. The emulator is AUTHTOKEN_EMULATOR, the password
 * AUTHTOKEN_PASSWORD; the token is shared through AUTHTOKEN_CACHE_DIR (no logout here).
 */

declare(strict_types=1);

require getcwd() . '/vendor/autoload.php';

$client = new AuthToken\Client([
    'provider' => 'tpstreams',
    'username' => 'hari@example.com',
    'organization_id' => 'auhf2k',
    'base_url' => getenv('AUTHTOKEN_EMULATOR') . '/tpstreams',
]);
$scheme = explode(' ', $client->authorizationHeader())[0];
$status = $client->get('/api/v1/auhf2k/assets/')->throwForStatus()->status;
echo 'php ', PHP_MAJOR_VERSION, '.', PHP_MINOR_VERSION, ": scheme $scheme, GET assets $status, authtoken ",
    AuthToken\Library::version(), ', library ', AuthToken\Library::loadedPath(), "\n";
