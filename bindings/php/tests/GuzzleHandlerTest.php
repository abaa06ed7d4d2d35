<?php

declare(strict_types=1);

namespace AuthToken\Tests;

use AuthToken\Exception\InvalidArgumentException;
use AuthToken\Exception\TokenLimitException;
use AuthToken\Guzzle\Handler;
use GuzzleHttp\Client as Guzzle;
use GuzzleHttp\Exception\ClientException;
use GuzzleHttp\Exception\ConnectException;
use GuzzleHttp\HandlerStack;

/** Guzzle 7 (Debian's php-guzzlehttp-guzzle) sending through AuthToken\Guzzle\Handler. */
final class GuzzleHandlerTest extends TestCase
{
    public static function setUpBeforeClass(): void
    {
        if (!class_exists(Guzzle::class)) {
            $autoload = stream_resolve_include_path('GuzzleHttp/autoload.php');
            self::assertNotFalse($autoload, 'Guzzle is not installed (Debian: apt-get install php-guzzlehttp-guzzle)');
            require_once $autoload;
        }
    }

    private function guzzle(\AuthToken\Client $client): Guzzle
    {
        return new Guzzle([
            'handler' => HandlerStack::create(new Handler($client)),
            'base_uri' => $client->baseUrl() . '/',
        ]);
    }

    public function testRequestsAreSignedAndGuzzleOptionsApply(): void
    {
        $client = $this->client();
        $guzzle = $this->guzzle($client);
        $response = $guzzle->get('api/echo/', ['query' => ['a' => '1'], 'headers' => ['X-Trace' => 't1']]);
        self::assertSame(200, $response->getStatusCode());
        self::assertStringStartsWith('application/json', $response->getHeaderLine('Content-Type'));
        $sent = json_decode((string) $response->getBody(), true);
        self::assertSame($client->authorizationHeader(), $sent['headers']['authorization']);
        self::assertSame(['a=1', 't1'], [$sent['query'], $sent['headers']['x-trace']]);
        self::assertStringStartsWith('GuzzleHttp/', $sent['headers']['user-agent']);

        $sent = json_decode((string) $guzzle->post('api/echo/', ['json' => ['n' => 1]])->getBody(), true);
        self::assertSame(
            ['POST', '{"n":1}', 'application/json'],
            [$sent['method'], $sent['body'], $sent['headers']['content-type']],
        );
        $sent = json_decode((string) $guzzle->put('api/echo/', ['form_params' => ['a' => 'x y']])->getBody(), true);
        self::assertSame(['PUT', 'a=x+y'], [$sent['method'], $sent['body']]);
        $sent = json_decode((string) $guzzle->delete('api/echo/')->getBody(), true);
        self::assertSame(['DELETE', ''], [$sent['method'], $sent['body']]);
        self::assertSame(1, $this->emulator->logins('tpstreams', $this->username));
    }

    public function testARevokedTokenIsReplacedAndTheRequestResent(): void
    {
        $client = $this->client();
        $guzzle = $this->guzzle($client);
        $old = $client->authorizationHeader();
        $this->emulator->revoke('tpstreams', $this->username);
        $sent = json_decode((string) $guzzle->post('api/echo/', ['body' => 'again'])->getBody(), true);
        self::assertSame('again', $sent['body']);
        self::assertNotSame($old, $sent['headers']['authorization']);
        self::assertSame(2, $this->emulator->logins('tpstreams', $this->username));
    }

    public function testHttpErrorsAndLibraryErrors(): void
    {
        $client = $this->client();
        $guzzle = $this->guzzle($client);
        try {
            $guzzle->get('api/missing/');
            self::fail('http_errors did not apply');
        } catch (ClientException $e) {
            self::assertSame(404, $e->getResponse()->getStatusCode());
        }
        self::assertSame(404, $guzzle->get('api/missing/', ['http_errors' => false])->getStatusCode());

        $other = str_replace('127.0.0.1', 'localhost', $client->baseUrl()) . '/api/echo/';
        try {
            $guzzle->get($other);
            self::fail('a request to another origin was sent');
        } catch (InvalidArgumentException $e) {
            self::assertSame(14, $e->getCode());
        }

        $socket = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr(strrchr((string) stream_socket_get_name($socket, false), ':'), 1);
        fclose($socket);
        $closed = $this->client('tpstreams', ['base_url' => "http://127.0.0.1:$port"]);
        try {
            $this->guzzle($closed)->get('api/echo/');
            self::fail('reached a closed port');
        } catch (ConnectException $e) {
            self::assertInstanceOf(\AuthToken\Exception\NetworkException::class, $e->getPrevious());
        }
    }

    public function testLoginErrorsArriveAsTheirAuthTokenException(): void
    {
        $this->emulator->admin('POST', 'config', ['max_tokens_per_org' => 1]);
        try {
            $this->client()->authorizationHeader();
            $second = $this->client('tpstreams', ['username' => "second-{$this->username}"]);
            $this->guzzle($second)->get('api/echo/');
            self::fail('the token limit was not reported');
        } catch (TokenLimitException $e) {
            self::assertSame([3, 403], [$e->getCode(), $e->getStatus()]);
        } finally {
            $this->emulator->admin('POST', 'config', ['max_tokens_per_org' => 20]);
        }
    }
}
