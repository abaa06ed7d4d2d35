<?php

declare(strict_types=1);

namespace AuthToken\Guzzle;

use AuthToken\AuthTokenException;
use AuthToken\Client;
use AuthToken\Exception\NetworkException;
use AuthToken\Exception\TimeoutException;
use GuzzleHttp\Exception\ConnectException;
use GuzzleHttp\Promise\Create;
use GuzzleHttp\Promise\PromiseInterface;
use GuzzleHttp\Psr7\Response;
use GuzzleHttp\TransferStats;
use Psr\Http\Message\RequestInterface;

/**
 * A Guzzle 7 handler that sends every request through an AuthToken\Client: signed with the
 * shared token, logged in again once on a 401 (or Testpress' 403 for a bad JWT) and resent,
 * and refused for another origin than the client's base URL.
 *
 * ```php
 * $guzzle = new GuzzleHttp\Client([
 *     'handler' => GuzzleHttp\HandlerStack::create(new AuthToken\Guzzle\Handler($client)),
 *     'base_uri' => $client->baseUrl() . '/',
 * ]);
 * $assets = json_decode((string) $guzzle->get('api/v1/auhf2k/assets/')->getBody(), true);
 * ```
 *
 * Guzzle's middleware (http_errors, redirects, retries, cookies, `json`, `query`,
 * `form_params`, `headers`, `base_uri`) works as usual; the transfer is the library's: the
 * body is sent and received whole (`stream`, `sink` and `progress` do not apply) and the
 * client's configuration decides timeouts, TLS and proxies (`timeout`, `verify`, `proxy`,
 * `cert` are ignored). `Host`, `Content-Length` and any `Authorization` header of the
 * request are left to the library.
 *
 * Errors: the promise is rejected with a GuzzleHttp\Exception\ConnectException (whose
 * previous exception is the AuthTokenException) when the server could not be reached or
 * timed out, and with the AuthTokenException itself otherwise (TokenLimitException,
 * InvalidCredentialsException, InvalidArgumentException for another origin, ...).
 *
 * Ownership: the handler keeps a reference to the client. Thread-safety: as the client.
 */
final class Handler
{
    /** Request headers the library sets itself. */
    private const LEFT_TO_THE_LIBRARY = ['host', 'content-length', 'authorization'];

    public function __construct(private readonly Client $client)
    {
    }

    /**
     * Sends $request; the returned promise is already settled.
     *
     * @param array<string, mixed> $options Guzzle's request options (see the class comment)
     */
    public function __invoke(RequestInterface $request, array $options): PromiseInterface
    {
        $headers = [];
        foreach ($request->getHeaders() as $name => $values) {
            if (!in_array(strtolower((string) $name), self::LEFT_TO_THE_LIBRARY, true)) {
                $headers[(string) $name] = $values;
            }
        }
        $stream = $request->getBody();
        if ($stream->isSeekable()) {
            $stream->rewind();
        }
        $body = $stream->getContents();
        $requestOptions = ['headers' => $headers];
        if ($body !== '' || $request->hasHeader('Content-Length')) {
            $requestOptions['body'] = $body;
        }
        $start = hrtime(true);
        try {
            $answer = $this->client->request($request->getMethod(), (string) $request->getUri(), $requestOptions);
        } catch (NetworkException | TimeoutException $e) {
            self::stats($options, $request, null, $start, $e);
            return Create::rejectionFor(new ConnectException($e->getMessage(), $request, $e));
        } catch (AuthTokenException $e) {
            self::stats($options, $request, null, $start, $e);
            return Create::rejectionFor($e);
        }
        $response = new Response($answer->status, $answer->headers, $answer->body);
        self::stats($options, $request, $response, $start, null);
        return Create::promiseFor($response);
    }

    /** @param array<string, mixed> $options */
    private static function stats(
        array $options,
        RequestInterface $request,
        ?Response $response,
        int $start,
        ?\Throwable $error,
    ): void {
        if (isset($options['on_stats']) && is_callable($options['on_stats'])) {
            ($options['on_stats'])(new TransferStats($request, $response, (hrtime(true) - $start) / 1e9, $error));
        }
    }
}
