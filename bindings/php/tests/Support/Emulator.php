<?php

declare(strict_types=1);

namespace AuthToken\Tests\Support;

use RuntimeException;

/**
 * The emulator's admin API (emulator/README.md) and raw HTTP calls to it, over PHP streams
 * (so that what is checked does not go through the library under test).
 */
final class Emulator
{
    private static ?self $shared = null;
    /** @var resource|null */
    private $process = null;
    private ?string $workdir = null;

    private function __construct(public readonly string $root)
    {
    }

    /** The suite's emulator: AUTHTOKEN_EMULATOR, or one started on first use. */
    public static function shared(): self
    {
        if (self::$shared === null) {
            $url = getenv('AUTHTOKEN_EMULATOR');
            self::$shared = is_string($url) && $url !== '' ? new self(rtrim($url, '/')) : self::start();
        }
        return self::$shared;
    }

    /** A private emulator, stopped when the object is destroyed or stop() is called. */
    public static function start(): self
    {
        $root = dirname(__DIR__, 4);
        $bin = getenv('AUTHTOKEN_EMULATOR_BIN') ?: "$root/target/debug/authtoken-emulator";
        if (!is_executable($bin)) {
            throw new RuntimeException("the emulator $bin is not built: cargo build -p authtoken-emulator");
        }
        $workdir = sys_get_temp_dir() . '/authtoken-php-emu-' . bin2hex(random_bytes(6));
        mkdir($workdir, 0700);
        $addr = "$workdir/addr";
        $process = proc_open(
            [$bin, '--bind', '127.0.0.1:0', '--addr-file', $addr, '--quiet'],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', "$workdir/log", 'w']],
            $pipes,
        );
        if (!is_resource($process)) {
            throw new RuntimeException("could not start $bin");
        }
        $deadline = microtime(true) + 30;
        while (!is_file($addr)) {
            if (microtime(true) > $deadline || !proc_get_status($process)['running']) {
                throw new RuntimeException('the emulator did not start: ' . @file_get_contents("$workdir/log"));
            }
            usleep(10_000);
        }
        $emulator = new self(trim((string) file_get_contents($addr)));
        $emulator->process = $process;
        $emulator->workdir = $workdir;
        return $emulator;
    }

    public function __destruct()
    {
        $this->stop();
    }

    public function stop(): void
    {
        if ($this->process !== null) {
            proc_terminate($this->process);
            proc_close($this->process);
            $this->process = null;
            @unlink("{$this->workdir}/log");
            @rmdir((string) $this->workdir);
        }
    }

    public function baseUrl(string $service): string
    {
        return "{$this->root}/$service";
    }

    /** An admin call: GET or POST /_emulator/$path, the decoded JSON answer. */
    public function admin(string $method, string $path, mixed $body = null): mixed
    {
        [$status, , $text] = $this->raw(
            $method,
            "{$this->root}/_emulator/$path",
            ['Content-Type: application/json'],
            $body === null ? null : json_encode($body, JSON_THROW_ON_ERROR),
        );
        if ($status !== 200) {
            throw new RuntimeException("emulator admin $method $path answered $status: $text");
        }
        return json_decode($text === '' ? 'null' : $text, true, 512, JSON_THROW_ON_ERROR);
    }

    /** @return array<string, mixed> */
    public function stats(): array
    {
        return $this->admin('GET', 'stats');
    }

    public function logins(string $service, string $username): int
    {
        return $this->stats()['logins'][$service][$username] ?? 0;
    }

    public function loginAttempts(string $service, string $username): int
    {
        return $this->stats()['login_attempts'][$service][$username] ?? 0;
    }

    public function logouts(string $service, string $username): int
    {
        return $this->stats()['logouts'][$service][$username] ?? 0;
    }

    public function requests(string $service, string $username): int
    {
        return $this->stats()['requests'][$service][$username] ?? 0;
    }

    /** @param array<string, mixed> $fault */
    public function fault(array $fault): void
    {
        $this->admin('POST', 'faults', $fault);
    }

    public function revoke(string $service, string $username): int
    {
        return $this->admin('POST', 'revoke', ['service' => $service, 'username' => $username])['revoked'];
    }

    /**
     * A plain HTTP request (no library): status, lower-case headers, body.
     *
     * @param list<string> $headers "Name: value" lines
     * @return array{0: int, 1: array<string, string>, 2: string}
     */
    public function raw(string $method, string $url, array $headers = [], ?string $body = null): array
    {
        $context = stream_context_create(['http' => [
            'method' => $method,
            'header' => $headers,
            'content' => $body ?? '',
            'ignore_errors' => true,
            'timeout' => 30,
            'protocol_version' => 1.1,
            'follow_location' => 0,
        ]]);
        $text = @file_get_contents($url, false, $context);
        if ($text === false) {
            throw new RuntimeException("$method $url failed: " . (error_get_last()['message'] ?? 'unknown error'));
        }
        /** @var list<string> $lines set by the http:// wrapper */
        $lines = $http_response_header;
        if (!preg_match('~^HTTP/\S+ (\d{3})~', $lines[0], $m)) {
            throw new RuntimeException("$method $url: no status line");
        }
        $parsed = [];
        foreach (array_slice($lines, 1) as $line) {
            [$name, $value] = array_map('trim', explode(':', $line, 2)) + [1 => ''];
            $parsed[strtolower($name)] = $value;
        }
        return [(int) $m[1], $parsed, $text];
    }
}
