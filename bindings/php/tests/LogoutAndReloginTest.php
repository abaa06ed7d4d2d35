<?php

declare(strict_types=1);

namespace AuthToken\Tests;

use AuthToken\Exception\ServerException;
use AuthToken\Exception\UnauthorizedException;

/** Logout revokes for everyone; a refused token is replaced once and the request resent. */
final class LogoutAndReloginTest extends TestCase
{
    public function testLogoutRevokesTheTokenForEveryone(): void
    {
        $client = $this->client();
        $old = $client->authorizationHeader();
        $echo = $this->emulator->baseUrl('tpstreams') . '/api/echo/';
        self::assertSame(200, $this->emulator->raw('GET', $echo, ["Authorization: $old"])[0]);

        $client->logout();
        self::assertSame(1, $this->emulator->logouts('tpstreams', $this->username));
        [$status, $headers, $body] = $this->emulator->raw('GET', $echo, ["Authorization: $old"]);
        self::assertSame(401, $status);
        self::assertSame('Token', $headers['www-authenticate']);
        self::assertSame(['detail' => 'Invalid token.'], json_decode($body, true));

        $new = $client->authorizationHeader();
        self::assertNotSame($old, $new);
        self::assertSame($new, self::echoed($client->get('/api/echo/'))['headers']['authorization']);
        self::assertSame(2, $this->emulator->logins('tpstreams', $this->username));
    }

    public function testTestpressLogoutDenylistsTheJwt(): void
    {
        $client = $this->client('testpress');
        $old = $client->authorizationHeader();
        $client->logout();
        self::assertSame(1, $this->emulator->logouts('testpress', $this->username));
        $echo = $this->emulator->baseUrl('testpress') . '/api/echo/';
        [$status, , $body] = $this->emulator->raw('GET', $echo, ["Authorization: $old"]);
        self::assertSame(401, $status);
        self::assertSame('Invalid signature.', json_decode($body, true)['detail']);
    }

    public function testLogoutWithoutATokenSendsNothing(): void
    {
        $this->client()->logout();
        self::assertSame(0, $this->emulator->logouts('tpstreams', $this->username));
        self::assertSame(0, $this->emulator->loginAttempts('tpstreams', $this->username));
    }

    public function testLogoutWhereTheServiceHasNoEndpointForgetsLocally(): void
    {
        $client = $this->client('tpstreams-legacy');
        $old = $client->authorizationHeader();
        $client->logout();
        self::assertNotSame($old, $client->authorizationHeader());
        self::assertSame(2, $this->emulator->logins('tpstreams-legacy', $this->username));
    }

    public function testAFailedLogoutKeepsTheTokenAndCanBeRetried(): void
    {
        $client = $this->client();
        $header = $client->authorizationHeader();
        $this->emulator->fault(['service' => 'tpstreams', 'path' => 'logout', 'kind' => 'status', 'status' => 500]);
        try {
            $client->logout();
            self::fail('the failed logout did not throw');
        } catch (ServerException $e) {
            self::assertSame([10, 500], [$e->getCode(), $e->getStatus()]);
        }
        self::assertSame($header, $client->authorizationHeader());
        $client->logout();
        self::assertSame(1, $this->emulator->logouts('tpstreams', $this->username));
    }

    public function testForgetDropsTheTokenWithoutRevokingIt(): void
    {
        $client = $this->client();
        $old = $client->authorizationHeader();
        $client->forget();
        self::assertNotSame($old, $client->authorizationHeader());
        self::assertSame(0, $this->emulator->logouts('tpstreams', $this->username));
        $echo = $this->emulator->baseUrl('tpstreams') . '/api/echo/';
        self::assertSame(200, $this->emulator->raw('GET', $echo, ["Authorization: $old"])[0]);
    }

    public function testTheHeaderFollowsEveryNewToken(): void
    {
        // A re-login made by a request (the server refused the token) ...
        $client = $this->client();
        $old = $client->authorizationHeader();
        self::assertSame($old, $client->authorizationHeader(), 'the same header while warm');
        $this->emulator->revoke('tpstreams', $this->username);
        $sent = self::echoed($client->get('/api/echo/'));
        $fresh = $client->authorizationHeader();
        self::assertNotSame($old, $fresh);
        self::assertSame($fresh, $sent['headers']['authorization']);
        self::assertSame(2, $this->emulator->logins('tpstreams', $this->username));

        // ... and a refresh when the token's lifetime runs out.
        $this->username .= '-lifetime';
        $expiring = $this->client('tpstreams-legacy', ['token_lifetime_s' => 1, 'refresh_margin_s' => 0]);
        $first = $expiring->authorizationHeader();
        usleep(1_100_000);
        $second = $expiring->authorizationHeader();
        self::assertNotSame($first, $second);
        self::assertSame(200, $expiring->get('/api/echo/')->status);
        self::assertSame(2, $this->emulator->logins('tpstreams-legacy', $this->username));
    }

    public function testInvalidateForgetsOnlyTheTokenThatWasRefused(): void
    {
        $client = $this->client();
        $old = $client->authorizationHeader();
        $this->emulator->revoke('tpstreams', $this->username);
        $echo = $this->emulator->baseUrl('tpstreams') . '/api/echo/';
        self::assertSame(401, $this->emulator->raw('GET', $echo, ["Authorization: $old"])[0]);
        self::assertTrue($client->invalidate($old));
        $fresh = $client->authorizationHeader();
        self::assertNotSame($old, $fresh);
        self::assertFalse($client->invalidate($old), 'a late report keeps the fresh token');
        self::assertSame($fresh, $client->authorizationHeader());
        self::assertSame(2, $this->emulator->logins('tpstreams', $this->username));
        try {
            $client->invalidate('');
            self::fail('an empty token is refused');
        } catch (\AuthToken\Exception\InvalidArgumentException $e) {
            self::assertSame(14, $e->getCode());
        }
    }

    public function testARevokedTokenIsReplacedAndTheRequestResent(): void
    {
        $client = $this->client();
        $old = $client->authorizationHeader();
        self::assertSame(1, $this->emulator->revoke('tpstreams', $this->username));
        $sent = self::echoed($client->post('/api/echo/', [
            'json' => ['resent' => true],
            'headers' => ['X-Keep' => 'me'],
        ]));
        self::assertSame('{"resent":true}', $sent['body']);
        self::assertSame('me', $sent['headers']['x-keep']);
        self::assertNotSame($old, $sent['headers']['authorization']);
        self::assertSame($client->authorizationHeader(), $sent['headers']['authorization']);
        self::assertSame(2, $this->emulator->logins('tpstreams', $this->username));
    }

    public function testTestpressForbiddenJwtIsReplacedToo(): void
    {
        $client = $this->client('testpress');
        $client->authorizationHeader();
        $this->emulator->revoke('testpress', $this->username);
        $response = $client->get('/api/v2.5/exams/');
        self::assertSame(200, $response->status, $response->body);
        self::assertIsArray($response->json());
        self::assertSame(2, $this->emulator->logins('testpress', $this->username));
    }

    public function testASecond401ThrowsUnauthorized(): void
    {
        $client = $this->client();
        $client->authorizationHeader();
        $this->emulator->fault([
            'service' => 'tpstreams',
            'path' => '/api/echo/',
            'kind' => 'status',
            'status' => 401,
            'count' => 2,
        ]);
        try {
            $client->get('/api/echo/');
            self::fail('no exception after two 401s');
        } catch (UnauthorizedException $e) {
            self::assertSame([4, 'unauthorized', 401], [$e->getCode(), $e->getKind(), $e->getStatus()]);
        }
        self::assertSame(2, $this->emulator->logins('tpstreams', $this->username));
    }
}
