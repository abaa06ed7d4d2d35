#!/usr/bin/env bash
# Builds the two Ruby gems from a staged copy of bindings/ruby (make dist-ruby):
#   authtoken-VERSION-PLATFORM.gem  with the library in lib/authtoken/native/PLATFORM/
#   authtoken-VERSION.gem           without it (its load error names the platform gems)
# Usage: ruby-gems.sh RUBY_DIR LIBRARY PLATFORM STAGE_DIR OUT_DIR
set -euo pipefail
ruby_dir=$1 library=$2 platform=$3 stage=$4 out=$5
root=$(cd "$(dirname "$0")/../.." && pwd)

rm -rf "$stage"
mkdir -p "$stage" "$out"
cp -R "$ruby_dir/lib" "$ruby_dir/authtoken.gemspec" "$stage/"
rm -rf "$stage/lib/authtoken/native"
cp "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$stage/"
cp "$root/docs/ruby.md" "$stage/README.md"

build() { # build [PLATFORM]: gem build in the stage, moves the gem to OUT_DIR
  (cd "$stage" && AUTHTOKEN_GEM_PLATFORM=${1:-} gem build --quiet authtoken.gemspec >/dev/null)
  mv "$stage"/*.gem "$out/"
}
build
mkdir -p "$stage/lib/authtoken/native/$platform"
install -m 755 "$library" "$stage/lib/authtoken/native/$platform/libauthtoken.so"
build "$platform"
echo "ruby-gems: built in $out"
