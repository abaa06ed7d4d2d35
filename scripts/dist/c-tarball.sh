#!/usr/bin/env bash
# Assembles the C SDK tarball from a release build (make dist-c):
#
#   authtoken-VERSION-x86_64-linux-gnu/
#     bin/authtoken, bin/authtoken-emulator
#     include/authtoken.h
#     lib/libauthtoken.so.VERSION, libauthtoken.so.ABI -> it, libauthtoken.so -> .so.ABI
#     lib/libauthtoken.a
#     lib/pkgconfig/authtoken.pc   (prefix=${pcfiledir}/../..: works wherever it is unpacked)
#     share/doc/authtoken/         (README.md, example.c, LICENSE-MIT, LICENSE-APACHE, THIRD-PARTY-LICENSES.md)
#
# Usage: c-tarball.sh NATIVE_DIR STAGE_DIR OUTPUT.tar.gz VERSION ABI THIRD_PARTY_LICENSES
# Entries are sorted, owned by 0:0 and dated SOURCE_DATE_EPOCH, so one commit gives one tarball.
set -euo pipefail
native=$1 stage=$2 output=$3 version=$4 abi=$5 third_party=$6
root=$(cd "$(dirname "$0")/../.." && pwd)
name=$(basename "$output" .tar.gz)
dir=$stage/$name

soname=$(readelf -d "$native/libauthtoken.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
if [ "$soname" != "libauthtoken.so.$abi" ]; then
  echo "c-tarball: $native/libauthtoken.so has soname '${soname:-none}', expected libauthtoken.so.$abi" >&2
  exit 1
fi

rm -rf "$stage"
mkdir -p "$dir/bin" "$dir/include" "$dir/lib/pkgconfig" "$dir/share/doc/authtoken"
install -m 755 "$native/authtoken" "$native/authtoken-emulator" "$dir/bin/"
install -m 644 "$root/include/authtoken.h" "$dir/include/"
install -m 755 "$native/libauthtoken.so" "$dir/lib/libauthtoken.so.$version"
ln -s "libauthtoken.so.$version" "$dir/lib/libauthtoken.so.$abi"
ln -s "libauthtoken.so.$abi" "$dir/lib/libauthtoken.so"
install -m 644 "$native/libauthtoken.a" "$dir/lib/"
# What a static link of libauthtoken.a needs besides it (rustc --print native-static-libs).
libs_private="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
# shellcheck disable=SC2016 # ${pcfiledir} and ${prefix} are pkg-config's variables
sed -e 's|@PREFIX@|${pcfiledir}/../..|' -e 's|@LIBDIR@|${prefix}/lib|' \
    -e 's|@INCLUDEDIR@|${prefix}/include|' -e "s|@VERSION@|$version|" \
    -e "s|@LIBS_PRIVATE@|$libs_private|" "$root/bindings/c/authtoken.pc.in" >"$dir/lib/pkgconfig/authtoken.pc"
install -m 644 "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$third_party" "$dir/share/doc/authtoken/"
install -m 644 "$root/bindings/c/README.md" "$root/bindings/c/example.c" "$dir/share/doc/authtoken/"

mkdir -p "$(dirname "$output")"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@${SOURCE_DATE_EPOCH:-0}" \
    -C "$stage" -cf - "$name" | gzip -n -9 >"$output.tmp"
mv "$output.tmp" "$output"
echo "c-tarball: $output"
