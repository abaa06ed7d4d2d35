#!/usr/bin/env bash
# Builds the NuGet package from the mcs-built assembly (make dist-csharp):
#
#   AuthToken.VERSION.nupkg (a zip)
#     AuthToken.nuspec
#     lib/netstandard2.0/AuthToken.dll, AuthToken.xml   (found by Library.Candidates() two
#                                                       levels up, or next to it once .NET copies it)
#     runtimes/linux-x64/native/libauthtoken.so         (the glibc-2.17 build, soname libauthtoken.so.ABI)
#     README.md (docs/csharp.md), LICENSE-MIT, LICENSE-APACHE
#     [Content_Types].xml, _rels/.rels                  (the Open Packaging Conventions parts NuGet expects)
#
# Usage: nuget-package.sh AUTHTOKEN_DLL AUTHTOKEN_XML LIBRARY VERSION STAGE_DIR OUTPUT.nupkg
# Entries are sorted and dated SOURCE_DATE_EPOCH, so one commit gives one archive.
set -euo pipefail
dll=$1 xml=$2 library=$3 version=$4 stage=$5 output=$6
root=$(cd "$(dirname "$0")/../.." && pwd)

rm -rf "$stage"
mkdir -p "$stage/lib/netstandard2.0" "$stage/runtimes/linux-x64/native" "$stage/_rels" "$(dirname "$output")"
install -m 644 "$dll" "$xml" "$stage/lib/netstandard2.0/"
install -m 755 "$library" "$stage/runtimes/linux-x64/native/libauthtoken.so"
cp "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$stage/"
cp "$root/docs/csharp.md" "$stage/README.md"
cat >"$stage/AuthToken.nuspec" <<NUSPEC
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>AuthToken</id>
    <version>$version</version>
    <authors>authtoken contributors</authors>
    <license type="expression">MIT OR Apache-2.0</license>
    <readme>README.md</readme>
    <description>Log in to the token-auth APIs of TPStreams, Testpress and CruxConnect, share one token across threads, processes and machines, sign requests, re-login on 401, log out. P/Invoke over libauthtoken (linux-x64, glibc 2.17+).</description>
    <tags>authentication token tpstreams testpress cruxconnect</tags>
    <dependencies>
      <group targetFramework=".NETStandard2.0" />
    </dependencies>
  </metadata>
</package>
NUSPEC
cat >"$stage/[Content_Types].xml" <<'TYPES'
<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
  <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />
  <Default Extension="nuspec" ContentType="application/octet" />
  <Default Extension="dll" ContentType="application/octet" />
  <Default Extension="xml" ContentType="application/octet" />
  <Default Extension="so" ContentType="application/octet" />
  <Default Extension="md" ContentType="application/octet" />
  <Override PartName="/LICENSE-MIT" ContentType="application/octet" />
  <Override PartName="/LICENSE-APACHE" ContentType="application/octet" />
</Types>
TYPES
cat >"$stage/_rels/.rels" <<'RELS'
<?xml version="1.0" encoding="utf-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/AuthToken.nuspec" Id="R0" />
</Relationships>
RELS

find "$stage" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} +
rm -f "$output" "$output.tmp"
(cd "$stage" && find . -mindepth 1 -type f -printf '%P\n' | LC_ALL=C sort | zip -q -X -@ "$output.tmp")
mv "$output.tmp" "$output"
echo "nuget-package: $output"
