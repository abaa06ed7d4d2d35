#!/usr/bin/env bash
# make test-dist: installs every artifact of dist/ the way a user would and runs each
# language's quickstart (tests/dist/) against the emulator shipped in the C tarball.
#
# The installs run in a clean environment: `env -i`, PATH=/usr/bin:/bin (no cargo, no rustc;
# checked), a fresh HOME, fresh virtualenvs on the oldest and newest CPython of pyenv, a fresh
# GEM_HOME, a fresh Composer project and COMPOSER_HOME, the tarball unpacked under a temporary
# prefix, a fresh npm project. Every quickstart shares one AUTHTOKEN_CACHE_DIR: the emulator
# must count exactly one login for all of them (C, CLI, Python, Ruby, PHP, Node.js). Before
# that, the artifacts themselves are checked: SHA256SUMS, the file names, glibc symbol versions
# <= 2.17 in every shipped ELF (the Node addon too), the soname and symlinks, only authtoken_*
# exported, the wheel's tag against auditwheel's verdict, the npm tarball's files.
#
# Usage: scripts/dist/test-dist.sh DIST_DIR   (DIST_FILES: the names make dist must write)
# Prints one line per check and ends with "N passed, M failed".
# SC2317: check functions are called indirectly (through `check`).
# shellcheck disable=SC2317
set -uo pipefail
dist=$(cd "${1:?usage: test-dist.sh DIST_DIR}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
: "${DIST_FILES:?set by mk/dist.mk: the artifacts make dist writes}"
read -r -a expected <<<"$DIST_FILES"
max_glibc=2.17
abi=$(sed -n 's/^pub const AUTHTOKEN_ABI_VERSION: u32 = \([0-9]*\);/\1/p' "$root/src/ffi/strings.rs")
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n1)
password=${AUTHTOKEN_TEST_PASSWORD:-demo-password}
work=$(mktemp -d /tmp/authtoken-test-dist.XXXXXX)
emulator_pid=
cleanup() {
  [ -z "$emulator_pid" ] || { kill "$emulator_pid" 2>/dev/null; wait "$emulator_pid" 2>/dev/null; }
  rm -rf "$work"
}
trap cleanup EXIT
passed=0
failed=0
check() { # check DESCRIPTION COMMAND...: runs it, prints ok/FAIL (and its output on failure)
  local what=$1
  shift
  if "$@" >"$work/out" 2>&1; then
    echo "ok - $what"
    passed=$((passed + 1))
    last_ok=1
  else
    echo "FAIL - $what"
    last_ok=0
    sed 's/^/    /' "$work/out" | tail -n 25
    failed=$((failed + 1))
  fi
}
last_ok=0
show() { [ "$last_ok" = 1 ] && sed 's/^/    /' "$work/out"; } # a passed check's output, indented
artifact() { # artifact SUFFIX: the expected artifact whose name ends with SUFFIX
  local f
  for f in "${expected[@]}"; do [[ $f == *"$1" ]] && { echo "$dist/$f"; return; }; done
  echo "no expected artifact ends with $1" >&2
  return 1
}

# --- The artifacts themselves --------------------------------------------------------------
dist_listing() {
  local want got
  want=$(printf '%s\n' SHA256SUMS "${expected[@]}" | LC_ALL=C sort)
  got=$(cd "$dist" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort)
  diff <(echo "$want") <(echo "$got")
}
check "dist/ holds exactly SHA256SUMS and ${expected[*]}" dist_listing
check "SHA256SUMS matches every artifact" sh -c "cd '$dist' && sha256sum --strict -c SHA256SUMS"

tarball=$(artifact "-x86_64-linux-gnu.tar.gz")
wheel=$(artifact ".whl")
platform_gem=$(artifact "-x86_64-linux.gem")
plain_gem=$(artifact "authtoken-$version.gem")
php_zip=$(artifact ".zip")
sdist=$(artifact "authtoken-$version.tar.gz")
node_tgz=$(artifact "authtoken-node-$version.tgz")

mkdir -p "$work/opt" "$work/elf/wheel" "$work/elf/gem" "$work/elf/php" "$work/elf/node"
tar -xzf "$tarball" -C "$work/opt"
prefix=$work/opt/$(basename "$tarball" .tar.gz)
(cd "$work/elf/wheel" && unzip -q "$wheel")
(cd "$work/elf/gem" && tar -xf "$platform_gem" data.tar.gz && tar -xzf data.tar.gz)
(cd "$work/elf/php" && unzip -q "$php_zip")
tar -xzf "$node_tgz" -C "$work/elf/node"

sdk_layout() {
  local f
  for f in bin/authtoken bin/authtoken-emulator include/authtoken.h "lib/libauthtoken.so.$version" \
           lib/libauthtoken.a lib/pkgconfig/authtoken.pc share/doc/authtoken/LICENSE-MIT \
           share/doc/authtoken/LICENSE-APACHE share/doc/authtoken/THIRD-PARTY-LICENSES.md \
           share/doc/authtoken/README.md share/doc/authtoken/example.c; do
    [ -s "$prefix/$f" ] || { echo "missing: $f"; return 1; }
  done
  if [ "$(readlink "$prefix/lib/libauthtoken.so.$abi")" != "libauthtoken.so.$version" ] ||
     [ "$(readlink "$prefix/lib/libauthtoken.so")" != "libauthtoken.so.$abi" ]; then
    ls -l "$prefix/lib"
    return 1
  fi
}
check "the C tarball has bin/, include/, lib/ with its symlinks, pkgconfig and the licences" sdk_layout

soname_of() { readelf -d "$1" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p'; }
for lib in "$prefix/lib/libauthtoken.so.$version" "$work/elf/gem/lib/authtoken/native/x86_64-linux/libauthtoken.so" \
           "$work/elf/php/lib/linux-x86_64/libauthtoken.so"; do
  name=${lib#"$work/"}
  check "$name has the soname libauthtoken.so.$abi" test "$(soname_of "$lib")" = "libauthtoken.so.$abi"
  exports_only_authtoken() {
    local others
    others=$(nm -D --defined-only "$1" | awk '$2 ~ /^[TDBRVW]$/ && $3 !~ /^authtoken_/ {print $3}')
    [ -z "$others" ] || { echo "exported besides authtoken_*: $others"; return 1; }
    nm -D --defined-only "$1" | grep -q ' T authtoken_abi_version$'
  }
  check "$name exports authtoken_* symbols only" exports_only_authtoken "$lib"
done
check "the gem, the Composer package and the tarball carry the same library" \
  cmp "$prefix/lib/libauthtoken.so.$version" "$work/elf/gem/lib/authtoken/native/x86_64-linux/libauthtoken.so"
check "... and the Composer package's is that one too" \
  cmp "$prefix/lib/libauthtoken.so.$version" "$work/elf/php/lib/linux-x86_64/libauthtoken.so"

glibc_ok() { # glibc_ok ELF: the highest GLIBC_ version it needs is <= max_glibc
  local highest
  highest=$(objdump -T "$1" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1)
  echo "$1 needs GLIBC_${highest:-none}"
  [ -n "$highest" ] && [ "$(printf '%s\n%s\n' "$highest" "$max_glibc" | sort -V | tail -n1)" = "$max_glibc" ]
}
fails() { ! "$@"; }
check "the glibc check itself rejects a binary of this machine (/usr/bin/ls)" fails glibc_ok /usr/bin/ls
elves=()
while IFS= read -r -d '' f; do
  [ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] && elves+=("$f")
done < <(find "$work/elf" "$prefix/bin" "$prefix/lib" -type f -print0)
check "the artifacts ship ${#elves[@]} ELF files (library x3, CLI, emulator, Python module, Node addon)" test ${#elves[@]} -eq 7
for f in "${elves[@]}"; do
  check "${f#"$work/"} needs glibc <= $max_glibc" glibc_ok "$f"
done

wheel_tag_matches_auditwheel() {
  local verdict
  verdict=$(auditwheel show "$wheel" | tr '\n' ' ' | sed -n 's/.*consistent with the following platform tag: *"\([^"]*\)".*/\1/p')
  echo "auditwheel: $verdict; file name: $(basename "$wheel")"
  [ -n "$verdict" ] && [[ $(basename "$wheel" .whl) == *"$verdict"* ]] && [[ $verdict == manylinux_2_17_x86_64 ]]
}
check "the wheel's platform tag is auditwheel's verdict (manylinux_2_17_x86_64)" wheel_tag_matches_auditwheel

# --- A clean environment and the emulator from the tarball ---------------------------------
mkdir -p "$work/home"
install -d -m 700 "$work/cache"
clean() { # clean COMMAND...: runs it as a new user on a new machine would (plus the emulator)
  env -i HOME="$work/home" PATH=/usr/bin:/bin LANG=C.UTF-8 TMPDIR="$work" \
    AUTHTOKEN_EMULATOR="$emulator" AUTHTOKEN_PASSWORD="$password" AUTHTOKEN_CACHE_DIR="$work/cache" "$@"
}
emulator="(not started yet)"
check "the clean environment has no cargo or rustc" \
  clean sh -c '! command -v cargo && ! command -v rustc && ! command -v rustup'

"$prefix/bin/authtoken-emulator" --bind 127.0.0.1:0 --password "$password" --addr-file "$work/addr" \
  >"$work/emulator.out" 2>"$work/emulator.log" &
emulator_pid=$!
for _ in $(seq 1 200); do [ -s "$work/addr" ] && break; sleep 0.05; done
emulator=$(cat "$work/addr" 2>/dev/null)
check "the tarball's emulator serves on loopback ($emulator)" \
  sh -c "curl -fsS '$emulator/_emulator/health'"
stat() { # stat KIND: the emulator's total count of KIND (logins, logouts, ...) over services
  curl -fsS "$emulator/_emulator/stats" |
    python3 -c "import json,sys; print(sum(n for per_user in json.load(sys.stdin)['$1'].values() for n in per_user.values()))"
}

# --- C: the tarball under a prefix, pkg-config, the quickstart -----------------------------
cp "$root/tests/dist/quickstart.c" "$work/"
export_pc="PKG_CONFIG_PATH=$prefix/lib/pkgconfig"
pc_is_relocatable() {
  local cflags libdir
  read -r cflags < <(clean env "$export_pc" pkg-config --cflags authtoken)
  libdir=$(clean env "$export_pc" pkg-config --variable=libdir authtoken)
  echo "cflags: $cflags; libdir: $libdir"
  [ "$(realpath "${cflags#-I}")" = "$prefix/include" ] && [ "$(realpath "$libdir")" = "$prefix/lib" ] &&
    [ "$(clean env "$export_pc" pkg-config --modversion authtoken)" = "$version" ]
}
check "pkg-config finds the unpacked prefix (relocatable .pc), version $version" pc_is_relocatable
c_quickstart() {
  cd "$work" || return 1
  # shellcheck disable=SC2016 # expanded by the inner shell, as a user would type it
  clean env "$export_pc" sh -c 'cc -std=c11 -Wall -Wextra -Werror quickstart.c $(pkg-config --cflags --libs authtoken) -o quickstart' &&
    readelf -d quickstart | grep -q "NEEDED.*\[libauthtoken.so.$abi\]" &&
    clean env LD_LIBRARY_PATH="$prefix/lib" ./quickstart "$emulator"
}
check "C: cc quickstart.c \$(pkg-config --cflags --libs authtoken), NEEDED libauthtoken.so.$abi, runs" c_quickstart
show || true
c_static() {
  cd "$work" || return 1
  # shellcheck disable=SC2016
  clean env "$export_pc" sh -c 'cc -std=c11 quickstart.c $(pkg-config --cflags authtoken) -L$(pkg-config --variable=libdir authtoken) -Wl,-Bstatic -lauthtoken -Wl,-Bdynamic $(pkg-config --static --libs-only-l authtoken | sed "s/-lauthtoken//") -o quickstart-static' &&
    ! readelf -d quickstart-static | grep -q libauthtoken &&
    clean ./quickstart-static "$emulator"
}
check "C: the static library links with Libs.private and runs" c_static
show || true

# --- The CLI from the tarball ---------------------------------------------------------------
cli() {
  clean env AUTHTOKEN_PROVIDER=tpstreams AUTHTOKEN_USERNAME=hari@example.com AUTHTOKEN_ORGANIZATION_ID=auhf2k \
    AUTHTOKEN_BASE_URL="$emulator/tpstreams" "$prefix/bin/authtoken" "$@"
}
cli_header() { cli header | grep -q '^Token [0-9a-f]'; }
check "CLI: authtoken header prints a Token header" cli_header

# --- Python: the wheel on the oldest and newest CPython, then the sdist with cargo ----------
pythons=()
pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
while IFS= read -r v; do
  pythons+=("$pyenv_root/versions/$v/bin/python3")
done < <(find "$pyenv_root/versions" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null |
         grep -E '^3\.([89]|[1-9][0-9])\.[0-9]+$' | sort -V)
if [ ${#pythons[@]} -eq 0 ]; then pythons=(/usr/bin/python3); fi
[ ${#pythons[@]} -le 1 ] || pythons=("${pythons[0]}" "${pythons[-1]}")
for py in "${pythons[@]}"; do
  pyver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  venv=$work/venv-$pyver
  python_wheel() {
    clean "$py" -m venv "$venv" &&
      clean "$venv/bin/pip" install -q --no-index --disable-pip-version-check "$wheel" &&
      clean "$venv/bin/python" "$root/tests/dist/quickstart.py"
  }
  check "Python $pyver: pip install the wheel into a fresh venv, run the quickstart" python_wheel
  show || true
done
pip_refuses_other_platform() {
  local other
  other=$work/$(basename "$wheel" | sed 's/x86_64/aarch64/g')
  cp "$wheel" "$other"
  local out
  out=$(clean "$venv/bin/pip" install --no-index --disable-pip-version-check "$other" 2>&1) &&
    { echo "installed: $out"; return 1; }
  echo "$out"
  grep -q "$(basename "$other") is not a supported wheel on this platform" <<<"$out"
}
check "Python: pip refuses the wheel for another platform, naming it" pip_refuses_other_platform
show || true

# --- Ruby: the platform gem, then the plain gem ---------------------------------------------
ruby_platform_gem() {
  clean env GEM_HOME="$work/gems" gem install --local --no-document --quiet "$platform_gem" &&
    clean env GEM_HOME="$work/gems" ruby "$root/tests/dist/quickstart.rb" | tee "$work/ruby.out" &&
    grep -q "library $work/gems/gems/authtoken-$version-x86_64-linux/lib/authtoken/native/x86_64-linux/libauthtoken.so" "$work/ruby.out"
}
check "Ruby: gem install the x86_64-linux gem into a fresh GEM_HOME, run the quickstart (its own library)" ruby_platform_gem
show || true
ruby_plain_gem() {
  local out
  clean env GEM_HOME="$work/gems-plain" gem install --local --no-document --quiet "$plain_gem" || return 1
  out=$(clean env GEM_HOME="$work/gems-plain" ruby -e 'require "authtoken"' 2>&1) && { echo "loaded: $out"; return 1; }
  echo "$out"
  grep -q "the native library was not found (looked in $work/gems-plain/gems/authtoken-$version/lib/authtoken/native/x86_64-linux/libauthtoken.so)" <<<"$out" &&
    grep -q 'gem install authtoken --platform x86_64-linux' <<<"$out" &&
    grep -q 'or set AUTHTOKEN_LIB' <<<"$out"
}
check "Ruby: the plain gem's load error names the platform gem and AUTHTOKEN_LIB" ruby_plain_gem
show || true
ruby_plain_gem_with_lib() {
  clean env GEM_HOME="$work/gems-plain" AUTHTOKEN_LIB="$prefix/lib/libauthtoken.so.$abi" ruby "$root/tests/dist/quickstart.rb"
}
check "Ruby: the plain gem with AUTHTOKEN_LIB pointing at the tarball's library" ruby_plain_gem_with_lib
show || true

# --- PHP: composer require from an artifact repository --------------------------------------
php_composer() {
  mkdir -p "$work/php-artifacts" "$work/php-app" && cp "$php_zip" "$work/php-artifacts/" &&
    cat >"$work/php-app/composer.json" <<EOF &&
{
    "name": "example/app",
    "repositories": [{"packagist.org": false}, {"type": "artifact", "url": "$work/php-artifacts"}],
    "require": {}
}
EOF
    (cd "$work/php-app" && clean env COMPOSER_HOME="$work/composer" composer require --no-interaction --no-progress -q "authtoken/authtoken:$version") &&
    (cd "$work/php-app" && clean php "$root/tests/dist/quickstart.php") | tee "$work/php.out" &&
    grep -q "library $work/php-app/vendor/authtoken/authtoken/lib/linux-x86_64/libauthtoken.so" "$work/php.out"
}
check "PHP: composer require authtoken/authtoken:$version from the archive, run the quickstart (its own library)" php_composer
show || true

# --- Node.js: npm install the tarball into a fresh project ----------------------------------
node_package() {
  local files
  files=$(tar -tzf "$node_tgz" | LC_ALL=C sort | tr '\n' ' ')
  echo "$files"
  [ "$files" = "package/LICENSE-APACHE package/LICENSE-MIT package/README.md package/THIRD-PARTY-LICENSES.md package/authtoken.linux-x64-gnu.node package/index.d.ts package/index.js package/package.json " ]
}
check "Node: the npm tarball holds index.js, index.d.ts, the linux-x64-gnu addon, README and licences" node_package
show || true
node_npm_install() {
  mkdir -p "$work/node-app" && cp "$root/tests/dist/quickstart.js" "$work/node-app/" &&
    (cd "$work/node-app" && clean npm init -y >/dev/null &&
      clean npm install --no-audit --no-fund --offline --loglevel=error "$node_tgz") &&
    [ -f "$work/node-app/node_modules/authtoken/authtoken.linux-x64-gnu.node" ] &&
    [ ! -e "$work/node-app/node_modules/axios" ] &&
    (cd "$work/node-app" && clean /usr/bin/node quickstart.js)
}
check "Node: npm install the tgz into a fresh project (no dependencies), run the quickstart" node_npm_install
show || true

# --- One login for the lot, then the CLI logs out --------------------------------------------
check "the emulator counted exactly one login for every install above" test "$(stat logins)" = 1
echo "    logins: $(stat logins), requests: $(stat requests)"
check "CLI: authtoken logout revokes the shared token" cli logout
check "the emulator counted that one logout" test "$(stat logouts)" = 1

# --- The sdist builds from source where cargo exists ----------------------------------------
python_sdist() {
  local venv=$work/venv-sdist
  python3 -m venv "$venv" &&
    "$venv/bin/pip" install -q --disable-pip-version-check "$(grep '^maturin==' "$root/scripts/dist/requirements.txt")" &&
    PATH="$venv/bin:$PATH" CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target} "$venv/bin/pip" install -q --no-index \
      --no-build-isolation --disable-pip-version-check "$sdist" &&
    clean "$venv/bin/python" -c 'import authtoken; print("sdist build:", authtoken.__version__)'
}
check "Python: the sdist builds and installs with cargo (pip install --no-build-isolation)" python_sdist
show || true

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
