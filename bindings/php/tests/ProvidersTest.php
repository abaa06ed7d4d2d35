<?php

declare(strict_types=1);

namespace AuthToken\Tests;

use AuthToken\Client;

/** Every provider: the exact header, signed requests with it, one login. */
final class ProvidersTest extends TestCase
{
    /** @return array<string, array{0: string}> */
    public static function services(): array
    {
        $services = [];
        foreach (array_keys(self::SCHEMES) as $service) {
            $services[$service] = [$service];
        }
        return $services;
    }

    /** @dataProvider services */
    public function testEveryProviderLogsInOnceAndSignsRequests(string $service): void
    {
        $client = $this->client($service);
        $header = $client->authorizationHeader();
        self::assertSame(self::SCHEMES[$service] . ' ' . $client->token(), $header);
        $sent = self::echoed($client->get('/api/echo/'));
        self::assertSame($header, $sent['headers']['authorization']);
        self::assertSame("/$service/api/echo/", $sent['path']);
        self::assertSame($this->username, (string) $sent['user']);
        for ($i = 0; $i < 3; $i++) {
            self::echoed($client->get('/api/echo/'));
            self::assertSame($header, $client->authorizationHeader());
        }
        self::assertSame(1, $this->emulator->logins($service, $this->username));
        self::assertSame(4, $this->emulator->requests($service, $this->username));
    }

    public function testTokenShapesFollowTheServices(): void
    {
        $shapes = [
            'tpstreams' => '/^Token [0-9a-f]{64}$/',
            'tpstreams-legacy' => '/^token [0-9a-f]{64}$/',
            'cruxconnect' => '/^Token [0-9a-f]{40}$/',
        ];
        foreach ($shapes as $service => $shape) {
            self::assertMatchesRegularExpression($shape, $this->client($service)->authorizationHeader());
        }
        $jwt = $this->client('testpress')->token();
        [, $payload] = explode('.', $jwt);
        $claims = json_decode(base64_decode(strtr($payload, '-_', '+/')), true);
        self::assertSame($this->username, $claims['username']);
        self::assertIsInt($claims['exp']);
    }

    public function testAHeaderLongerThanAnyBeforeIsWhole(): void
    {
        // Testpress' JWT carries the username: a long one makes a header of over 2 KiB.
        $this->username = 'php-long-' . str_repeat('u', 1600) . '@example.com';
        $client = $this->client('testpress');
        $header = $client->authorizationHeader();
        self::assertGreaterThan(2048, strlen($header));
        self::assertSame('JWT ' . $client->token(), $header);
        self::assertSame($header, $client->authorizationHeader());
        self::assertSame($header, self::echoed($client->get('/api/echo/'))['headers']['authorization']);
        self::assertSame(1, $this->emulator->logins('testpress', $this->username));
    }

    public function testTestpressApiVersionIsSelectable(): void
    {
        foreach (['v2.2', 'v2.3', 'v2.5'] as $version) {
            $this->username = "php-v$version-" . bin2hex(random_bytes(4)) . '@example.com';
            $client = $this->client('testpress', ['api_version' => $version]);
            self::assertStringStartsWith('JWT ', $client->authorizationHeader());
            self::assertSame(1, $this->emulator->logins('testpress', $this->username));
        }
    }

    public function testCustomProviderProfile(): void
    {
        $client = new Client([
            'provider' => 'custom',
            'base_url' => $this->emulator->baseUrl('tpstreams'),
            'username' => $this->username,
            'password' => self::password(),
            'login_path' => '/api/auth/login/',
            'logout_path' => '/api/auth/logout/',
            'extra_fields' => ['organization_id' => $this->org],
            'token_field' => 'token',
            'expiry_field' => 'expiry',
            'scheme' => 'Token',
            'cache' => 'memory',
        ]);
        $header = $client->authorizationHeader();
        self::assertMatchesRegularExpression('/^Token [0-9a-f]{64}$/', $header);
        self::assertSame($header, self::echoed($client->get('/api/echo/'))['headers']['authorization']);
        $client->logout();
        self::assertSame(1, $this->emulator->logins('tpstreams', $this->username));
        self::assertSame(1, $this->emulator->logouts('tpstreams', $this->username));
    }

    public function testFromJsonTakesTheSameDocument(): void
    {
        $client = Client::fromJson(json_encode($this->config('cruxconnect'), JSON_THROW_ON_ERROR));
        self::assertSame($this->emulator->baseUrl('cruxconnect'), $client->baseUrl());
        self::assertStringStartsWith('Token ', $client->authorizationHeader());
        self::assertSame(1, $this->emulator->logins('cruxconnect', $this->username));
    }
}
