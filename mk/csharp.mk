# The C# binding (bindings/csharp): P/Invoke over the C ABI (libauthtoken.so), built with
# Mono's mcs (Debian), tested with NUnit 2.6 (Debian's nunit-console) against the emulator.
# bindings/csharp/AuthToken.csproj is the same library as a netstandard2.0 project for .NET
# users; it lists the same sources (lint-csharp checks) and is not built here (no NuGet).
DEPS_TARGETS += deps-csharp
TEST_TARGETS += test-csharp
DIST_TARGETS += dist-csharp
DIST_TEST_TARGETS += test-dist-csharp

MCS ?= mcs
MONO ?= mono
CS_DIR := $(ROOT)/bindings/csharp
CS_OUT := $(TARGET_DIR)/csharp
CS_SOURCES := $(sort $(wildcard $(CS_DIR)/src/*.cs))
CS_TESTS := $(filter-out %/StormWorker.cs %/Probe.cs,$(sort $(wildcard $(CS_DIR)/tests/*.cs)))
# Every warning, as an error; unsafe only to read returned strings and header blocks in place
# (Native.cs, Response.cs).
CS_FLAGS := -warnaserror+ -warn:4 -nologo
CS_LIB_FLAGS := $(CS_FLAGS) -target:library -unsafe -r:System.Net.Http.dll
NUNIT_FRAMEWORK := /usr/lib/cli/nunit.framework-2.6.3/nunit.framework.dll
NUPKG := AuthToken.$(VERSION).nupkg
DIST_FILES += $(NUPKG)

.PHONY: deps-csharp build-csharp lint-csharp test-csharp bench-csharp dist-csharp test-dist-csharp

deps-csharp:
	scripts/apt-install.sh mono-mcs mono-runtime libmono-system-net-http4.0-cil \
	    nunit-console libnunit-framework2.6.3-cil zip unzip gcc libc6-dev

## AuthToken.dll (and its XML documentation), versioned $(VERSION) like every artifact.
build-csharp: deps-csharp
	@mkdir -p $(CS_OUT)
	printf '[assembly: System.Reflection.AssemblyVersion("%s")]\n[assembly: System.Reflection.AssemblyInformationalVersion("%s")]\n' \
	    $(VERSION) $(VERSION) > $(CS_OUT)/AssemblyVersion.cs
	$(MCS) $(CS_LIB_FLAGS) -doc:$(CS_OUT)/AuthToken.xml -out:$(CS_OUT)/AuthToken.dll $(CS_SOURCES) $(CS_OUT)/AssemblyVersion.cs

## mcs -warnaserror+ -warn:4 on everything: the library, the tests and their helpers, the
## benchmark and the install quickstart; the csproj lists the same sources and version.
lint-csharp: build-csharp
	$(MCS) $(CS_FLAGS) -target:library -r:$(CS_OUT)/AuthToken.dll -r:System.Net.Http.dll -r:$(NUNIT_FRAMEWORK) \
	    -out:$(CS_OUT)/AuthToken.Tests.dll $(CS_TESTS) $(CS_DIR)/src/Json.cs
	$(MCS) $(CS_FLAGS) -r:$(CS_OUT)/AuthToken.dll -out:$(CS_OUT)/StormWorker.exe $(CS_DIR)/tests/StormWorker.cs $(CS_DIR)/src/Json.cs
	$(MCS) $(CS_FLAGS) -r:$(CS_OUT)/AuthToken.dll -out:$(CS_OUT)/Probe.exe $(CS_DIR)/tests/Probe.cs
	$(MCS) $(CS_FLAGS) -r:$(CS_OUT)/AuthToken.dll -out:$(CS_OUT)/Bench.exe $(CS_DIR)/bench/Bench.cs
	$(MCS) $(CS_FLAGS) -r:$(CS_OUT)/AuthToken.dll -out:$(CS_OUT)/Quickstart.exe $(ROOT)/tests/dist/Quickstart.cs
	@listed=$$(sed -n 's|.*<Compile Include="\([^"]*\)".*|\1|p' $(CS_DIR)/AuthToken.csproj | LC_ALL=C sort); \
	  actual=$$(cd $(CS_DIR) && ls src/*.cs | LC_ALL=C sort); \
	  [ "$$listed" = "$$actual" ] || { echo "AuthToken.csproj lists: $$listed; src/ has: $$actual" >&2; exit 1; }
	@grep -q '<Version>$(VERSION)</Version>' $(CS_DIR)/AuthToken.csproj || \
	  { echo "AuthToken.csproj: <Version> is not $(VERSION) (Cargo.toml's)" >&2; exit 1; }

## The NUnit suite against the debug library and a fresh emulator.
test-csharp: lint-csharp
	$(CARGO) build -q -p authtoken -p authtoken-emulator
	cp $(NUNIT_FRAMEWORK) $(CS_OUT)/
	cd $(CS_OUT) && AUTHTOKEN_LIB=$(TARGET_DIR)/debug/libauthtoken.so \
	  $(ROOT)/scripts/with-emulator.sh nunit-console -nologo -noresult -labels AuthToken.Tests.dll

## The warm AuthorizationHeader() against authtoken_noop() (release library).
bench-csharp: lint-csharp
	$(CARGO) build -q --release -p authtoken -p authtoken-emulator
	cd $(CS_OUT) && AUTHTOKEN_LIB=$(TARGET_DIR)/release/libauthtoken.so \
	  AUTHTOKEN_EMULATOR_BIN=$(TARGET_DIR)/release/authtoken-emulator \
	  $(ROOT)/scripts/with-emulator.sh $(MONO) --optimize=all Bench.exe

## AuthToken.VERSION.nupkg: AuthToken.dll (mcs) under lib/netstandard2.0/, the glibc-2.17
## library under runtimes/linux-x64/native/.
dist-csharp: dist-native build-csharp
	scripts/dist/nuget-package.sh $(CS_OUT)/AuthToken.dll $(CS_OUT)/AuthToken.xml $(DIST_LIB) $(VERSION) \
	    $(DIST_STAGE)/csharp $(DIST_DIR)/$(NUPKG)

## The package as a user would take it (clean environment), against the C tarball's emulator.
test-dist-csharp:
	scripts/dist/test-dist-csharp.sh $(DIST_DIR)/$(NUPKG) $(DIST_DIR)/$(C_TARBALL)
