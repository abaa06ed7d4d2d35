<?php

declare(strict_types=1);

namespace AuthToken\Tests;

use AuthToken\AuthTokenException;
use AuthToken\Client;
use AuthToken\Exception;
use AuthToken\Library;

/** Each error kind: its class, code, status and the server's message, as a user sees them. */
final class ErrorsTest extends TestCase
{
    public function testTheTokenLimitIsReportedAsSuch(): void
    {
        $holders = [];
        for ($i = 0; $i < 20; $i++) {
            $username = "limit-$i-{$this->org}@example.com";
            $holders[] = $client = new Client($this->config('tpstreams', ['username' => $username]));
            $client->authorizationHeader();
        }
        $extra = new Client($this->config('tpstreams', ['username' => "limit-20-{$this->org}@example.com"]));
        try {
            $extra->get('/api/echo/');
            self::fail('the 21st login succeeded');
        } catch (Exception\TokenLimitException $e) {
            self::assertSame([3, 'token_limit', 403], [$e->getCode(), $e->getKind(), $e->getStatus()]);
            self::assertSame('Maximum amount of tokens allowed per user exceeded.', $e->getServerMessage());
            self::assertStringContainsString('Maximum amount of tokens allowed per user exceeded.', $e->getMessage());
        }
        self::assertSame(20, $this->emulator->stats()['live_tokens']['tpstreams'][$this->org]);
        $holders[0]->logout();
        $extra->forget(); // the refusal is remembered for the identity (login_cooloff_s); forget() lifts it
        self::assertStringStartsWith('Token ', $extra->authorizationHeader());
    }

    public function testBadCredentials(): void
    {
        $secret = 'wrong-' . bin2hex(random_bytes(8));
        $client = $this->client('tpstreams', ['password' => $secret]);
        try {
            $client->authorizationHeader();
            self::fail('a wrong password logged in');
        } catch (Exception\InvalidCredentialsException $e) {
            self::assertSame([2, 'invalid_credentials', 400], [$e->getCode(), $e->getKind(), $e->getStatus()]);
            self::assertSame('Unable to log in with provided credentials.', $e->getServerMessage());
            self::assertStringContainsString('Unable to log in with provided credentials.', $e->getMessage());
            self::assertStringNotContainsString($secret, $e->getMessage());
            self::assertStringNotContainsString($secret, (string) $e);
        }
        self::assertSame(0, $this->emulator->logins('tpstreams', $this->username));
        self::assertSame(1, $this->emulator->loginAttempts('tpstreams', $this->username));
    }

    public function testUnreachableHostIsANetworkError(): void
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr(strrchr((string) stream_socket_get_name($socket, false), ':'), 1);
        fclose($socket);
        $client = $this->client('tpstreams', ['base_url' => "http://127.0.0.1:$port"]);
        try {
            $client->authorizationHeader();
            self::fail('logged in to a closed port');
        } catch (Exception\NetworkException $e) {
            self::assertSame(
                [7, 'network', null, null],
                [$e->getCode(), $e->getKind(), $e->getStatus(), $e->getServerMessage()],
            );
            self::assertStringContainsString("127.0.0.1:$port", $e->getMessage());
        }
    }

    public function testSlowServerIsATimeout(): void
    {
        $client = $this->client('tpstreams', ['timeout_ms' => 200]);
        $this->emulator->fault(['service' => 'tpstreams', 'path' => 'login', 'kind' => 'delay', 'delay_ms' => 1500]);
        try {
            $client->authorizationHeader();
            self::fail('no timeout');
        } catch (Exception\TimeoutException $e) {
            self::assertSame([8, 'timeout'], [$e->getCode(), $e->getKind()]);
        }
    }

    public function testRateLimitedLoginCarriesRetryAfter(): void
    {
        $client = $this->client('tpstreams', ['max_retries' => 0]);
        $this->emulator->fault([
            'service' => 'tpstreams',
            'path' => 'login',
            'kind' => 'status',
            'status' => 429,
            'retry_after' => 30,
        ]);
        try {
            $client->authorizationHeader();
            self::fail('no rate-limit error');
        } catch (Exception\RateLimitedException $e) {
            self::assertSame([6, 429, 30.0], [$e->getCode(), $e->getStatus(), $e->getRetryAfter()]);
        }
    }

    public function testMalformedLoginAnswerIsAProtocolError(): void
    {
        $client = $this->client();
        $this->emulator->fault(['service' => 'tpstreams', 'path' => 'login', 'kind' => 'malformed']);
        try {
            $client->authorizationHeader();
            self::fail('a malformed answer was accepted');
        } catch (Exception\ProtocolException $e) {
            self::assertSame([11, 'protocol', 200], [$e->getCode(), $e->getKind(), $e->getStatus()]);
        }
    }

    public function testTestpressLoginLimitCarriesTheServersErrorCode(): void
    {
        $this->emulator->admin('POST', 'config', ['max_parallel_logins' => 1]);
        try {
            $first = $this->client('testpress');
            $first->authorizationHeader();
            $first->forget();
            $first->authorizationHeader();
            self::fail('the second parallel login succeeded');
        } catch (Exception\TokenLimitException $e) {
            self::assertSame(
                [3, 403, 'parallel_login_restriction'],
                [$e->getCode(), $e->getStatus(), $e->getServerErrorCode()],
            );
            self::assertSame('You have exceeded the maximum number of parallel logins.', $e->getServerMessage());
        } finally {
            $this->emulator->admin('POST', 'config', ['max_parallel_logins' => null]);
        }
    }

    public function testConfigurationErrorsNameTheKey(): void
    {
        $cases = [
            'unknown key' => [
                ['provider' => 'cruxconnect', 'username' => 'u', 'password' => 'p', 'colour' => 1],
                'colour',
            ],
            'missing key' => [['provider' => 'tpstreams', 'username' => 'u', 'password' => 'p'], 'organization_id'],
            'bad provider' => [['provider' => 'nope', 'username' => 'u', 'password' => 'p'], 'provider'],
            'mistyped' => [
                ['provider' => 'cruxconnect', 'username' => 'u', 'password' => 'p', 'timeout_ms' => 'soon'],
                'timeout_ms',
            ],
            'not UTF-8' => [['provider' => 'cruxconnect', 'username' => "\xff", 'password' => 'p'], 'UTF-8'],
        ];
        foreach ($cases as $name => [$config, $mentions]) {
            try {
                new Client($config);
                self::fail("$name: no exception");
            } catch (Exception\InvalidConfigException $e) {
                self::assertSame([1, 'invalid_config', null], [$e->getCode(), $e->getKind(), $e->getStatus()], $name);
                self::assertStringContainsString($mentions, $e->getMessage(), $name);
            }
        }
        try {
            Client::fromJson('{"provider": "tpstreams",');
            self::fail('malformed JSON accepted');
        } catch (Exception\InvalidConfigException $e) {
            self::assertSame(1, $e->getCode());
        }
    }

    /**
     * With `zend.exception_ignore_args=0` (php.ini-development) traces hold call arguments:
     * the configuration (and the JSON made of it) are marked #[\SensitiveParameter].
     */
    public function testPasswordsNeverAppearInExceptionsOrTheirTraces(): void
    {
        $previous = ini_set('zend.exception_ignore_args', '0');
        try {
            $secret = 'hunter2-' . bin2hex(random_bytes(8));
            $calls = [
                fn () => new Client(['provider' => 'tpstreams', 'username' => 'u', 'password' => $secret, 'x' => 1]),
                fn () => Client::fromJson(json_encode(['provider' => 'nope', 'password' => $secret])),
                fn () => (new Client($this->config('tpstreams', ['password' => $secret])))->get('/api/echo/'),
            ];
            foreach ($calls as $i => $call) {
                try {
                    $call();
                    self::fail("call $i: no exception");
                } catch (AuthTokenException $e) {
                    self::assertNotEmpty($e->getTrace()[0]['args'] ?? null, 'the trace holds no arguments at all');
                    self::assertFalse(str_contains((string) $e, $secret), "call $i: the password is in the exception");
                    $trace = print_r($e->getTrace(), true);
                    self::assertFalse(str_contains($trace, $secret), "call $i: the password is in the trace");
                }
            }
        } finally {
            ini_set('zend.exception_ignore_args', (string) $previous);
        }
    }

    public function testEveryKindHasItsClassWithTheLibrarysCodeAndName(): void
    {
        $classes = AuthTokenException::classes();
        self::assertSame(range(1, 16), array_keys($classes));
        foreach ($classes as $code => $class) {
            self::assertSame($code, $class::CODE);
            self::assertSame(Library::errorKindName($code), $class::KIND, $class);
            $error = AuthTokenException::forCode($code, 'm', 418, 's', 'e', 1.5);
            self::assertInstanceOf($class, $error);
            self::assertInstanceOf(AuthTokenException::class, $error);
            self::assertSame([$code, 'm', 418, 's', 'e', 1.5], [
                $error->getCode(), $error->getMessage(), $error->getStatus(),
                $error->getServerMessage(), $error->getServerErrorCode(), $error->getRetryAfter(),
            ]);
        }
        self::assertSame(Library::errorKindName(3), 'token_limit');
        self::assertNull(Library::errorKindName(99));
        $future = AuthTokenException::forCode(99, 'from a newer library');
        self::assertSame(
            [AuthTokenException::class, 99, 'unknown_99'],
            [get_class($future), $future->getCode(), $future->getKind()],
        );
    }
}
