#!/usr/bin/env bash
# Builds authtoken-VERSION.jar (make dist-java): the binding's classes compiled against
# Debian's JNA and OkHttp jars (neither is bundled: JNA is the jar's one runtime dependency,
# OkHttp only for authtoken.okhttp), the library under authtoken/native/linux-x86_64/, the
# licences under META-INF/. Timestamps come from SOURCE_DATE_EPOCH, so one commit gives the
# same bytes.
# Usage: java-jar.sh JAVA_DIR LIBRARY VERSION STAGE_DIR OUT_JAR
set -euo pipefail
java_dir=$1 library=$2 version=$3 stage=$4 out=$5
root=$(cd "$(dirname "$0")/../.." && pwd)
share=${JAVA_SHARE:-/usr/share/java}

rm -rf "$stage"
mkdir -p "$stage/classes/authtoken/native/linux-x86_64" "$stage/classes/META-INF" "$(dirname "$out")"
find "$java_dir/src/main" -name '*.java' | LC_ALL=C sort >"$stage/sources"
javac --release 17 -encoding UTF-8 -Xlint:all -Werror -cp "$share/jna.jar:$share/okhttp.jar:$share/okio.jar" \
  -d "$stage/classes" @"$stage/sources"
printf '%s\n' "$version" >"$stage/classes/authtoken/version.txt"
install -m 755 "$library" "$stage/classes/authtoken/native/linux-x86_64/libauthtoken.so"
cp "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$stage/classes/META-INF/"
cat >"$stage/MANIFEST.MF" <<MF
Implementation-Title: authtoken
Implementation-Version: $version
Automatic-Module-Name: authtoken
MF
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-0}" +%Y-%m-%dT%H:%M:%SZ)
# jar --date needs a timestamp after 1980.
[ "${SOURCE_DATE_EPOCH:-0}" -ge 315532800 ] || date=1980-01-01T00:00:02Z
rm -f "$out"
jar --create --file "$out" --manifest "$stage/MANIFEST.MF" --date "$date" -C "$stage/classes" .
echo "java-jar: built $out"
