<?php

declare(strict_types=1);

namespace AuthToken\Tests;

use AuthToken\AuthTokenException;
use AuthToken\Exception\HttpStatusException;
use AuthToken\Exception\InvalidArgumentException;
use AuthToken\Exception\ServerException;

/** Signed requests: methods, query, headers, bodies; responses and their statuses. */
final class RequestsTest extends TestCase
{
    public function testGetSendsQueryAndHeaders(): void
    {
        $client = $this->client();
        $response = $client->get('/api/echo/items', [
            'query' => ['page' => 2, 'tag' => ['a', 'b'], 'q' => 'x y', 'skip' => null, 'on' => true],
            'headers' => ['X-Trace' => 't1', 'X-Multi' => ['1', '2'], 'X-Number' => 7],
        ]);
        $sent = self::echoed($response);
        self::assertSame('GET', $sent['method']);
        self::assertSame('page=2&tag=a&tag=b&q=x+y&on=1', $sent['query']);
        self::assertSame('t1', $sent['headers']['x-trace']);
        self::assertSame('1, 2', $sent['headers']['x-multi']);
        self::assertSame('7', $sent['headers']['x-number']);
        self::assertSame($client->authorizationHeader(), $sent['headers']['authorization']);
        self::assertStringEndsWith('/tpstreams/api/echo/items?page=2&tag=a&tag=b&q=x+y&on=1', $response->url);
        self::assertTrue($response->ok());
        self::assertStringStartsWith('application/json', $response->header('Content-Type'));
        self::assertSame($response->header('content-type'), $response->headers['content-type'][0]);
        self::assertNull($response->header('X-Absent'));
        self::assertSame((string) strlen($response->body), $response->header('Content-Length'));
    }

    public function testPostSendsJson(): void
    {
        $client = $this->client();
        $json = ['name' => 'clip', 'n' => 1, 'ü' => true, 'f' => 1.0];
        $sent = self::echoed($client->post('/api/echo/', ['json' => $json]));
        self::assertSame('POST', $sent['method']);
        self::assertSame('{"name":"clip","n":1,"ü":true,"f":1.0}', $sent['body']);
        self::assertSame('application/json', $sent['headers']['content-type']);
        $sent = self::echoed($client->post('/api/echo/', [
            'json' => [1, 2],
            'headers' => ['content-type' => 'application/vnd.api+json'],
        ]));
        self::assertSame('[1,2]', $sent['body']);
        self::assertSame('application/vnd.api+json', $sent['headers']['content-type']);
    }

    public function testPutPatchDeleteAndOtherMethods(): void
    {
        $client = $this->client();
        $sent = self::echoed($client->put('/api/echo/', [
            'body' => "raw\0bytes",
            'headers' => ['Content-Type' => 'text/plain'],
        ]));
        self::assertSame(
            ['PUT', "raw\0bytes", 'text/plain'],
            [$sent['method'], $sent['body'], $sent['headers']['content-type']],
        );
        $sent = self::echoed($client->patch('/api/echo/', ['form' => ['a' => '1', 'b' => 'x y', 'c' => ['p', 'q']]]));
        self::assertSame(['PATCH', 'a=1&b=x+y&c=p&c=q'], [$sent['method'], $sent['body']]);
        self::assertSame('application/x-www-form-urlencoded', $sent['headers']['content-type']);
        $sent = self::echoed($client->put('/api/echo/', ['body' => '']));
        self::assertSame(['PUT', '', '0'], [$sent['method'], $sent['body'], $sent['headers']['content-length']]);
        self::assertSame('DELETE', self::echoed($client->delete('/api/echo/'))['method']);
        $sent = self::echoed($client->request('options', '/api/echo/', ['query' => 'x=1']));
        self::assertSame(['OPTIONS', 'x=1'], [$sent['method'], $sent['query']]);
        $head = $client->request('HEAD', '/api/echo/');
        self::assertSame([200, ''], [$head->status, $head->body]);
    }

    public function testLargeBodiesArriveWhole(): void
    {
        $client = $this->client();
        $payload = random_bytes(300_000);
        $sent = self::echoed($client->post('/api/echo/', ['body' => base64_encode($payload)]));
        self::assertSame(base64_encode($payload), $sent['body']);
        $big = $client->get('/api/big/', ['query' => ['bytes' => 2_000_000]]);
        self::assertSame(2_000_000, strlen($big->body));
        self::assertSame('application/octet-stream', $big->header('content-type'));
    }

    public function testAbsoluteUrlsOfTheSameOriginAndQueryMerging(): void
    {
        $client = $this->client();
        $absolute = $this->emulator->baseUrl('tpstreams') . '/api/echo/?a=1';
        self::assertSame('a=1&b=2', self::echoed($client->get($absolute, ['query' => ['b' => 2]]))['query']);
        self::assertSame('a=1', self::echoed($client->get('/api/echo/?a=1#frag', ['query' => []]))['query']);
    }

    public function testCheckUrlIsTheCoresOriginRule(): void
    {
        $client = $this->client();
        $client->checkUrl($client->baseUrl() . '/api/echo/?page=2');
        foreach (
            [
                'http://localhost:1/api/' => 'refusing to send the Authorization header to http://localhost: this',
                'ftp://127.0.0.1/' => 'refusing to send the Authorization header to a ftp: URL: only http://',
                '/relative/' => 'invalid URL `/relative/`',
            ] as $url => $message
        ) {
            try {
                $client->checkUrl($url);
                self::fail("checkUrl($url) accepted it");
            } catch (InvalidArgumentException $e) {
                self::assertStringStartsWith($message, $e->getMessage());
            }
        }
    }

    public function testIsRefusedIsTheCoresRefusalRule(): void
    {
        $tpstreams = $this->client();
        $testpress = $this->client('testpress');
        $expired = '{"detail": "Signature has expired."}';
        self::assertTrue($tpstreams->isRefused(401));
        self::assertFalse($tpstreams->isRefused(403, $expired));
        self::assertTrue($testpress->isRefused(403, $expired));
        self::assertTrue($testpress->isRefused(403, '{"message": "Signature has expired."}'));
        self::assertFalse($testpress->isRefused(403, '{"detail": "You do not have permission."}'));
        self::assertFalse($testpress->isRefused(200, $expired));
        $this->expectException(InvalidArgumentException::class);
        $testpress->isRefused(70000);
    }

    public function testAnotherOriginIsRefusedAndNothingIsSent(): void
    {
        $client = $this->client();
        $client->authorizationHeader();
        $before = $this->emulator->requests('tpstreams', $this->username);
        $other = str_replace('127.0.0.1', 'localhost', $this->emulator->baseUrl('tpstreams')) . '/api/echo/';
        try {
            $client->get($other);
            self::fail('a request to another origin was sent');
        } catch (InvalidArgumentException $e) {
            self::assertSame([14, 'invalid_argument', null], [$e->getCode(), $e->getKind(), $e->getStatus()]);
            self::assertStringContainsString('localhost', $e->getMessage());
        }
        self::assertSame($before, $this->emulator->requests('tpstreams', $this->username));
    }

    public function testThrowForStatusMapsStatusesToExceptions(): void
    {
        $client = $this->client();
        $ok = $client->get('/api/echo/');
        self::assertSame($ok, $ok->throwForStatus());

        $missing = $client->get('/api/missing/');
        self::assertSame(404, $missing->status);
        self::assertFalse($missing->ok());
        try {
            $missing->throwForStatus();
            self::fail('no exception for 404');
        } catch (HttpStatusException $e) {
            self::assertSame([15, 'http_status', 404], [$e->getCode(), $e->getKind(), $e->getStatus()]);
            self::assertSame('Not found.', $e->getServerMessage());
            self::assertSame($missing, $e->getResponse());
            self::assertStringContainsString('404', $e->getMessage());
        }

        $this->emulator->fault([
            'service' => 'tpstreams',
            'path' => '/api/echo/',
            'kind' => 'status',
            'status' => 503,
            'retry_after' => 7,
        ]);
        $unavailable = $client->get('/api/echo/');
        self::assertSame(503, $unavailable->status);
        try {
            $unavailable->throwForStatus();
            self::fail('no exception for 503');
        } catch (ServerException $e) {
            self::assertSame(
                [10, 503, 7.0, 'Injected 503'],
                [$e->getCode(), $e->getStatus(), $e->getRetryAfter(), $e->getServerMessage()],
            );
            self::assertInstanceOf(AuthTokenException::class, $e);
        }
    }

    public function testJsonOfABodyThatIsNotJsonThrows(): void
    {
        $big = $this->client()->get('/api/big/', ['query' => ['bytes' => 10]]);
        $this->expectException(\JsonException::class);
        $big->json();
    }

    public function testBadMethodsAndOptionsAreInvalidArguments(): void
    {
        $client = $this->client();
        $cases = [
            'method' => [fn () => $client->request('FETCH', '/api/echo/'), 'FETCH'],
            'option' => [fn () => $client->get('/api/echo/', ['form_params' => []]), 'form_params'],
            'two bodies' => [fn () => $client->post('/api/echo/', ['json' => 1, 'body' => '1']), '`json`, `body`'],
            'header value' => [fn () => $client->get('/api/echo/', ['headers' => ['X-A' => ['ok', null]]]), 'X-A'],
            'header list' => [fn () => $client->get('/api/echo/', ['headers' => ['X-A: 1']]), 'name => value'],
            'header name' => [fn () => $client->get('/api/echo/', ['headers' => ["X-A\nB" => '1']]), 'header'],
            'body type' => [fn () => $client->post('/api/echo/', ['body' => ['a' => 1]]), 'string'],
            'json value' => [fn () => $client->post('/api/echo/', ['json' => "\xff"]), 'UTF-8'],
            'nested query' => [fn () => $client->get('/api/echo/', ['query' => ['a' => ['b' => 1]]]), '`a`'],
        ];
        foreach ($cases as $name => [$call, $mentions]) {
            try {
                $call();
                self::fail("$name: no exception");
            } catch (InvalidArgumentException $e) {
                self::assertSame(14, $e->getCode(), $name);
                self::assertStringContainsString($mentions, $e->getMessage(), $name);
            }
        }
        self::assertSame(0, $this->emulator->requests('tpstreams', $this->username));
    }
}
