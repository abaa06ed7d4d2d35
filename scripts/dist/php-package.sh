#!/usr/bin/env bash
# Builds the Composer package archive from bindings/php (make dist-php):
#
#   authtoken-php-VERSION.zip
#     composer.json          (with "version", so that an artifact repository can serve it)
#     src/ include/ bin/ autoload.php preload.php
#     lib/PLATFORM/libauthtoken.so   (found by Library::path() from __DIR__, PHP_OS_FAMILY
#                                     and php_uname('m'))
#     README.md (docs/php.md: install, PHP-FPM settings), LICENSE-MIT, LICENSE-APACHE
#
# Usage: php-package.sh PHP_DIR LIBRARY PLATFORM VERSION STAGE_DIR OUTPUT.zip
# Entries are sorted and dated SOURCE_DATE_EPOCH, so one commit gives one archive.
set -euo pipefail
php_dir=$1 library=$2 platform=$3 version=$4 stage=$5 output=$6
root=$(cd "$(dirname "$0")/../.." && pwd)

rm -rf "$stage"
mkdir -p "$stage/lib/$platform" "$(dirname "$output")"
cp -R "$php_dir/src" "$php_dir/include" "$php_dir/bin" "$php_dir/autoload.php" "$php_dir/preload.php" "$stage/"
cp "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$stage/"
cp "$root/docs/php.md" "$stage/README.md"
install -m 755 "$library" "$stage/lib/$platform/libauthtoken.so"
# The released composer.json: the package's own, with its version and without what only its
# tests need. (The PHP code is single-quoted on purpose: PHP expands it, not the shell.)
# shellcheck disable=SC2016
php -r '
  $c = json_decode(file_get_contents($argv[1]), true, 512, JSON_THROW_ON_ERROR);
  $c["version"] = $argv[2];
  unset($c["require-dev"], $c["autoload-dev"]);
  file_put_contents($argv[3], json_encode($c, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n");
' "$php_dir/composer.json" "$version" "$stage/composer.json"

find "$stage" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} +
rm -f "$output"
(cd "$stage" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort | zip -q -X -y -@ "$output.tmp")
mv "$output.tmp" "$output"
echo "php-package: $output"
