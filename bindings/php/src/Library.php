<?php

declare(strict_types=1);

namespace AuthToken;

use AuthToken\Exception\LibraryException;
use FFI;
use FFI\CData;

/**
 * The native library, libauthtoken, reached through ext-ffi.
 *
 * It is loaded lazily, on the first call that needs it (creating a Client, for instance),
 * never when the package's classes are autoloaded, and once per process (per request under
 * PHP-FPM, where static state does not survive the request):
 *
 * 1. When the library was preloaded under the FFI scope `authtoken` (php.ini `ffi.preload`,
 *    or `opcache.preload` with this package's `preload.php`), `FFI::scope('authtoken')` is
 *    used: nothing is parsed or opened during the request.
 * 2. Otherwise the package's header (`include/authtoken_ffi.h`) is given to `FFI::cdef()`
 *    with the library path: the `AUTHTOKEN_LIB` environment variable, else the first of
 *    `lib/libauthtoken.so` in this package and `target/release`, `target/debug` of the
 *    repository the package sits in.
 *
 * Outside the CLI, PHP's default `ffi.enable=preload` allows the FFI API only to preloaded
 * code: there, preload this package (`opcache.preload=<package>/preload.php`), or set
 * `ffi.enable=1`. The README has the PHP-FPM recipe.
 *
 * When ext-ffi is missing or disabled, or the library cannot be found or loaded, a
 * LibraryException says so and how to fix it.
 *
 * Thread-safety: PHP runs one request per thread; the loaded FFI instance is per process.
 */
final class Library
{
    /** The FFI scope name a preloaded library is registered under. */
    public const SCOPE = 'authtoken';

    /**
     * The C ABI version this package is written for (AUTHTOKEN_ABI_VERSION of authtoken.h, the
     * N of the soname libauthtoken.so.N). A library of another ABI is refused.
     */
    public const ABI_VERSION = 0;

    /** The platforms (`lib/<platform>/`) the release archive ships a library for. */
    public const PACKAGED_PLATFORMS = ['linux-x86_64'];

    /** ELF e_machine values, to say what a library of the wrong architecture was built for. */
    private const ELF_MACHINES = [
        3 => 'x86 (32-bit)', 20 => 'ppc', 21 => 'ppc64', 22 => 's390x', 40 => 'arm (32-bit)',
        62 => 'x86_64', 183 => 'aarch64', 243 => 'riscv',
    ];

    private static ?FFI $ffi = null;
    private static ?string $mode = null;
    private static ?string $loadedPath = null;

    private function __construct()
    {
    }

    /**
     * The loaded library, loading it on first use.
     *
     * @throws LibraryException when ext-ffi is unavailable or the library cannot be loaded
     */
    public static function ffi(): FFI
    {
        return self::$ffi ?? self::load();
    }

    /**
     * How the library was loaded in this process: `scope` (preloaded), `cdef`, or null when it
     * has not been loaded yet.
     */
    public static function mode(): ?string
    {
        return self::$mode;
    }

    /** The path given to FFI::cdef(), or null when not loaded that way (yet). */
    public static function loadedPath(): ?string
    {
        return self::$loadedPath;
    }

    /**
     * The library's version, e.g. `0.1.0` (loads the library).
     *
     * @throws LibraryException
     */
    public static function version(): string
    {
        /** @var string $version a `const char *` return value arrives as a PHP string */
        $version = self::ffi()->authtoken_version();
        return $version;
    }

    /**
     * Every configuration key the library knows (`provider`, `username`, ...).
     *
     * @return list<string>
     * @throws LibraryException
     */
    public static function configKeys(): array
    {
        $ffi = self::ffi();
        $out = $ffi->new('char *');
        $code = $ffi->authtoken_config_keys(FFI::addr($out));
        if ($code !== 0) {
            throw self::lastError($code);
        }
        /** @var list<string> $keys */
        $keys = json_decode(self::take($out) ?? '[]', true, 2, JSON_THROW_ON_ERROR);
        return $keys;
    }

    /**
     * The stable name of an error code, as the library gives it (`token_limit` for 3), or null
     * for a code the library does not know.
     *
     * @throws LibraryException
     */
    public static function errorKindName(int $code): ?string
    {
        /** @var string|null $name */
        $name = self::ffi()->authtoken_error_kind_name($code);
        return $name;
    }

    /**
     * The path of the native library this package would load: `AUTHTOKEN_LIB`, or the first
     * existing default location (see candidates()).
     *
     * @throws LibraryException when `AUTHTOKEN_LIB` names no file, or no default location has
     *     it: the message names the paths tried and what to install or set
     */
    public static function path(): string
    {
        $env = getenv('AUTHTOKEN_LIB');
        if (is_string($env) && $env !== '') {
            if (!is_file($env)) {
                throw new LibraryException(
                    "AUTHTOKEN_LIB is set to $env, which is not a file: point it at a libauthtoken.so."
                    . self::ABI_VERSION . ' (the C tarball authtoken-VERSION-x86_64-linux-gnu.tar.gz has one'
                    . ' under lib/), or unset it to use the library this package ships'
                );
            }
            return $env;
        }
        $platform = self::platform(PHP_OS_FAMILY, php_uname('m'));
        $candidates = self::candidates($platform);
        foreach ($candidates as $candidate) {
            if (is_file($candidate)) {
                return realpath($candidate) ?: $candidate;
            }
        }
        throw new LibraryException(self::notFoundMessage($platform, $candidates));
    }

    /**
     * The platform directory name under the package's `lib/` for an OS family (PHP_OS_FAMILY)
     * and a machine (`php_uname('m')`): `linux-x86_64`, `darwin-aarch64`, ...
     *
     * @internal
     */
    public static function platform(string $osFamily, string $machine): string
    {
        $arch = match (strtolower($machine)) {
            'x86_64', 'amd64', 'x64' => 'x86_64',
            'aarch64', 'arm64' => 'aarch64',
            default => strtolower($machine),
        };
        return strtolower($osFamily) . '-' . $arch;
    }

    /**
     * Where the library is looked for on a platform, in order: the package's own
     * `lib/<platform>/`, then, when the package sits in a checkout of the repository, cargo's
     * `target/release` and `target/debug`.
     *
     * @return list<string>
     * @internal
     */
    public static function candidates(string $platform, ?string $packageDir = null): array
    {
        $packageDir ??= dirname(__DIR__);
        $name = self::libraryName($platform);
        $candidates = ["$packageDir/lib/$platform/$name"];
        $repository = dirname($packageDir, 2);
        if (is_file("$repository/Cargo.toml")) {
            $candidates[] = "$repository/target/release/$name";
            $candidates[] = "$repository/target/debug/$name";
        }
        return $candidates;
    }

    /**
     * Why no library was found, and what to do: install the package's release archive (which
     * ships the library for the platforms in PACKAGED_PLATFORMS) or set AUTHTOKEN_LIB.
     *
     * @param list<string> $tried
     * @internal
     */
    public static function notFoundMessage(string $platform, array $tried): string
    {
        $advice = in_array($platform, self::PACKAGED_PLATFORMS, true)
            ? "this copy of the package has no library for $platform: install the release archive"
                . ' (authtoken-php-VERSION.zip, `composer require authtoken/authtoken`), which ships it'
            : "no release of this package ships a library for $platform (they ship "
                . implode(', ', self::PACKAGED_PLATFORMS) . '): build libauthtoken for it from source'
                . ' (`cargo build --release -p authtoken`)';
        return "the native library was not found (looked in " . implode(', ', $tried) . "): $advice,"
            . ' or set the AUTHTOKEN_LIB environment variable to the path of a libauthtoken built for '
            . $platform;
    }

    /**
     * What the file at `$path` is, from its first bytes (`an ELF 64-bit file for aarch64,
     * while this machine is x86_64`, `an empty file`...), for the error when it cannot be loaded.
     *
     * @internal
     */
    public static function describe(string $path): string
    {
        $head = @file_get_contents($path, false, null, 0, 20);
        if ($head === false) {
            return 'an unreadable file';
        }
        if ($head === '') {
            return 'an empty file';
        }
        if (str_starts_with($head, "\x7FELF")) {
            if (strlen($head) < 20) {
                return 'a truncated ELF file';
            }
            $bits = [1 => '32-bit', 2 => '64-bit'][ord($head[4])] ?? 'unknown-class';
            /** @var array{1: int} $machine */
            $machine = unpack(ord($head[5]) === 2 ? 'n' : 'v', substr($head, 18, 2));
            $name = self::ELF_MACHINES[$machine[1]] ?? "machine {$machine[1]}";
            return "an ELF $bits file for $name, while this machine is " . php_uname('m');
        }
        if (in_array(substr($head, 0, 4), ["\xCF\xFA\xED\xFE", "\xCE\xFA\xED\xFE"], true)) {
            return 'a Mach-O file (a macOS library)';
        }
        if (str_starts_with($head, 'MZ')) {
            return 'a Windows PE file (a DLL)';
        }
        $start = json_encode(substr($head, 0, 8), JSON_INVALID_UTF8_SUBSTITUTE);
        return "not a shared library (it starts with $start)";
    }

    private static function libraryName(string $platform): string
    {
        return match (explode('-', $platform, 2)[0]) {
            'darwin' => 'libauthtoken.dylib',
            'windows' => 'authtoken.dll',
            default => 'libauthtoken.so',
        };
    }

    /** The C declarations given to FFI (the C ABI's header without preprocessor lines). */
    public static function headerPath(): string
    {
        return dirname(__DIR__) . '/include/authtoken_ffi.h';
    }

    /**
     * A header for `ffi.preload` (php.ini) or FFI::load(): the declarations, preceded by
     * `#define FFI_SCOPE "authtoken"` and `#define FFI_LIB "<absolute path>"`.
     *
     * @param string|null $library the library's path; default: self::path()
     * @throws LibraryException when the library or the header cannot be found
     */
    public static function preloadHeader(?string $library = null): string
    {
        $library ??= self::path();
        $absolute = realpath($library);
        if ($absolute === false || !is_file($absolute)) {
            throw new LibraryException("the native library $library was not found");
        }
        if (strpbrk($absolute, "\"\\\n\r") !== false) {
            throw new LibraryException("the library path $absolute cannot be written in a C header");
        }
        return '#define FFI_SCOPE "' . self::SCOPE . "\"\n"
            . '#define FFI_LIB "' . $absolute . "\"\n"
            . self::header();
    }

    /**
     * Registers the library under the FFI scope `authtoken` with FFI::load(), for an
     * `opcache.preload` script (see the package's preload.php). Requests then use
     * FFI::scope('authtoken'), which `ffi.enable=preload` allows.
     *
     * PHP refuses FFI::load() when `opcache.preload_user` is in effect (a master process
     * running as root): use php.ini `ffi.preload` with a header from preloadHeader() instead.
     *
     * @param string|null $library the library's path; default: self::path()
     * @throws LibraryException when ext-ffi is unavailable or loading fails
     */
    public static function preload(?string $library = null): void
    {
        self::checkExtension();
        $header = self::preloadHeader($library);
        $file = tempnam(sys_get_temp_dir(), 'authtoken-ffi-');
        if ($file === false || file_put_contents($file, $header) === false) {
            throw new LibraryException('could not write a temporary header for FFI::load()');
        }
        try {
            $ffi = FFI::load($file);
        } catch (\FFI\Exception $e) {
            throw new LibraryException('FFI::load() of the authtoken header failed: ' . $e->getMessage(), previous: $e);
        } finally {
            unlink($file);
        }
        if ($ffi === null) {
            throw new LibraryException('FFI::load() of the authtoken header failed');
        }
    }

    /**
     * Whether the library is registered under the FFI scope `authtoken` (by php.ini
     * `ffi.preload` or an `opcache.preload` script). Does not load anything.
     */
    public static function scopeExists(): bool
    {
        if (!extension_loaded('ffi')) {
            return false;
        }
        try {
            FFI::scope(self::SCOPE);
            return true;
        } catch (\FFI\Exception) {
            return false;
        }
    }

    /**
     * Copies a string the library returned as owned (`char *`), then frees it with the
     * library's own authtoken_string_free(), which also wipes it. Null stays null.
     *
     * @internal
     */
    public static function take(?CData $owned): ?string
    {
        if ($owned === null || FFI::isNull($owned)) {
            return null;
        }
        try {
            return FFI::string($owned);
        } finally {
            self::ffi()->authtoken_string_free($owned);
        }
    }

    /**
     * The exception for the calling thread's last error, which the call that returned `$code`
     * just set: its message, HTTP status, the server's message and error code, Retry-After.
     *
     * @internal
     */
    public static function lastError(int $code, ?Response $response = null): AuthTokenException
    {
        return AuthTokenException::forCode($code, ...self::lastErrorDetails($code), response: $response);
    }

    /**
     * The last error's message, status, server message, server error code and Retry-After,
     * in the order of AuthTokenException::forCode()'s parameters after the code.
     *
     * @return array{0: string, 1: int|null, 2: string|null, 3: string|null, 4: float|null}
     * @internal
     */
    public static function lastErrorDetails(int $code): array
    {
        $ffi = self::ffi();
        $message = self::take($ffi->authtoken_last_error_message_dup()) ?? "authtoken error $code";
        $status = $ffi->authtoken_last_error_status();
        $server = self::take($ffi->authtoken_last_error_server_message_dup());
        $serverCode = self::take($ffi->authtoken_last_error_error_code_dup());
        $retryMs = $ffi->authtoken_last_error_retry_after_ms();
        return [
            $message,
            $status > 0 ? $status : null,
            $server,
            $serverCode,
            $retryMs >= 0 ? $retryMs / 1000 : null,
        ];
    }

    private static function load(): FFI
    {
        self::checkExtension();
        try {
            $ffi = FFI::scope(self::SCOPE);
        } catch (\FFI\Exception) {
            $ffi = null; // Not preloaded: declare it here.
        }
        if ($ffi !== null) {
            self::checkAbi($ffi, 'the library preloaded under the FFI scope ' . self::SCOPE);
            self::$mode = 'scope';
            return self::$ffi = $ffi;
        }
        $path = self::path();
        try {
            $ffi = FFI::cdef(self::header(), $path);
        } catch (\FFI\Exception $e) {
            if (str_contains($e->getMessage(), 'ffi.enable')) {
                throw new LibraryException(
                    'ext-ffi is limited to preloaded code here (ffi.enable=' . ini_get('ffi.enable')
                    . ', ' . PHP_SAPI . ' SAPI): preload this package with opcache.preload=<package>/preload.php'
                    . ' (when the master runs as root, also the library with php.ini'
                    . ' ffi.preload=<header from vendor/bin/authtoken-ffi-header>), or set ffi.enable=1 ('
                    . $e->getMessage() . ')',
                    previous: $e,
                );
            }
            if (str_contains($e->getMessage(), 'authtoken_abi_version')) {
                throw new LibraryException(self::abiMismatchMessage($path, null), previous: $e);
            }
            throw new LibraryException(
                "could not load the native library $path: it is " . self::describe($path)
                . ' (FFI said: ' . $e->getMessage() . '). Set AUTHTOKEN_LIB to a libauthtoken built for '
                . self::platform(PHP_OS_FAMILY, php_uname('m')) . ', or install the release archive of this'
                . ' package, which ships one',
                previous: $e,
            );
        }
        self::checkAbi($ffi, $path);
        self::$mode = 'cdef';
        self::$loadedPath = $path;
        return self::$ffi = $ffi;
    }

    /**
     * A library of another ABI version (`$found`), or one older than ABI versions (null).
     *
     * @internal
     */
    public static function abiMismatchMessage(string $path, ?int $found): string
    {
        $what = $found === null
            ? 'has no authtoken_abi_version(), so it predates ABI versions'
            : "has ABI version $found";
        return "the native library $path $what, but this package needs ABI version " . self::ABI_VERSION
            . ' (libauthtoken.so.' . self::ABI_VERSION . '): install the release of this package that'
            . ' matches the library, or point AUTHTOKEN_LIB at a library of ABI ' . self::ABI_VERSION;
    }

    /** Refuses a library of another C ABI before anything else is called. */
    private static function checkAbi(FFI $ffi, string $what): void
    {
        /** @var int $abi */
        $abi = $ffi->authtoken_abi_version();
        if ($abi !== self::ABI_VERSION) {
            throw new LibraryException(self::abiMismatchMessage($what, $abi));
        }
    }

    private static function checkExtension(): void
    {
        if (!extension_loaded('ffi')) {
            throw new LibraryException(
                'authtoken needs ext-ffi, which is not loaded in this PHP (' . PHP_BINARY . '):'
                . ' install or enable it (Debian/Ubuntu: it ships in php' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION
                . '-common, enabled by conf.d/20-ffi.ini; elsewhere: extension=ffi in php.ini, or build PHP --with-ffi)'
            );
        }
        if (in_array(self::ffiEnable(), ['0', '', 'off', 'false', 'no'], true)) {
            throw new LibraryException(
                'ext-ffi is disabled (ffi.enable=' . ini_get('ffi.enable') . '): set ffi.enable=preload and preload'
                . ' the library (see the PHP-FPM recipe in the README), or set ffi.enable=1'
            );
        }
    }

    private static function ffiEnable(): string
    {
        return strtolower(trim((string) ini_get('ffi.enable')));
    }

    private static function header(): string
    {
        $header = @file_get_contents(self::headerPath());
        if ($header === false) {
            throw new LibraryException('the C declarations ' . self::headerPath() . ' are missing from the package');
        }
        return $header;
    }
}
