<?php

declare(strict_types=1);

namespace AuthToken\Tests;

/**
 * The examples the README shows, run as a user would (one cache directory, the password from
 * AUTHTOKEN_PASSWORD): their output, and one login between the three of them.
 */
final class ExamplesTest extends TestCase
{
    public function testTheExamplesRunAsShown(): void
    {
        $cache = $this->tempDir();
        $env = [
            'AUTHTOKEN_EMULATOR' => $this->emulator->root,
            'AUTHTOKEN_PASSWORD' => self::password(),
            'AUTHTOKEN_CACHE_DIR' => $cache,
        ];
        $user = 'hari@example.com';
        $logins = $this->emulator->logins('tpstreams', $user);
        $logouts = $this->emulator->logouts('tpstreams', $user);
        $expected = [
            'curl.php' => "GET assets/ -> 200, 2 assets\n",
            'guzzle.php' => "POST videos/ -> 201 {\"title\":\"Intro\"}\nGET assets/ -> 200\n",
            'quickstart.php' => "8f3kd9s0aa: Welcome video\n2mdk39dk1b: Lecture 1\n"
                . "POST videos/ -> 201 {\"title\":\"Intro\"}\nlogged out\n",
        ];
        foreach ($expected as $example => $output) {
            [$status, $out, $err] = $this->runPhp(self::packageDir() . "/examples/$example", [], $env);
            self::assertSame(0, $status, $err);
            self::assertSame('', $err, $example);
            self::assertSame($output, $out, $example);
        }
        self::assertSame($logins + 1, $this->emulator->logins('tpstreams', $user));
        self::assertSame($logouts + 1, $this->emulator->logouts('tpstreams', $user));
        self::assertSame([], glob("$cache/*.json"));
    }
}
