# The Java binding (bindings/java): JNA over the C ABI (libauthtoken.so), built with javac and
# jar from the JDK (no Maven), tested with JUnit 5's console launcher against the emulator.
# The JDK, JNA, JUnit 5 and OkHttp (with okio) come from Debian's packages.
DEPS_TARGETS += deps-java
TEST_TARGETS += test-java
DIST_TARGETS += dist-java
DIST_TEST_TARGETS += test-dist-java

JAVA ?= java
JAVAC ?= javac
JAVA_DIR := $(ROOT)/bindings/java
JAVA_OUT := $(TARGET_DIR)/java
JAVA_CLASSES := $(JAVA_OUT)/classes
JAVA_TEST_CLASSES := $(JAVA_OUT)/test-classes
JAVA_LINT := $(JAVA_OUT)/lint
JAVA_SHARE ?= /usr/share/java
JNA_JAR := $(JAVA_SHARE)/jna.jar
OKHTTP_CP := $(JAVA_SHARE)/okhttp.jar:$(JAVA_SHARE)/okio.jar
JUNIT_JAR := $(JAVA_SHARE)/junit-platform-console-standalone.jar
JAVA_MAIN_CP := $(JNA_JAR):$(OKHTTP_CP)
JAVA_TEST_CP := $(JAVA_CLASSES):$(JAVA_TEST_CLASSES):$(JAVA_MAIN_CP):$(JUNIT_JAR)
# Every source is compiled with every lint warning as an error.
JAVAC_FLAGS := --release 17 -encoding UTF-8 -Xlint:all -Werror
JAVA_JAR := authtoken-$(VERSION).jar
DIST_FILES += $(JAVA_JAR)
JAVA_DEBUG_LIB := $(TARGET_DIR)/debug/libauthtoken.so
BENCH_PROFILE ?= release

.PHONY: deps-java build-java lint-java test-java bench-java dist-java test-dist-java

deps-java:
	scripts/apt-install.sh default-jdk-headless libjna-java junit5 libokhttp-java

## The binding's classes (and its version, read by authtoken.Loader) in target/java/classes.
build-java: deps-java
	rm -rf $(JAVA_CLASSES) && mkdir -p $(JAVA_CLASSES)/authtoken
	$(JAVAC) $(JAVAC_FLAGS) -cp $(JAVA_MAIN_CP) -d $(JAVA_CLASSES) $$(find $(JAVA_DIR)/src/main -name '*.java' | sort)
	printf '%s\n' $(VERSION) > $(JAVA_CLASSES)/authtoken/version.txt

## javac -Xlint:all -Werror on everything: the binding, its tests, the benchmark, the quickstart.
lint-java: build-java
	rm -rf $(JAVA_TEST_CLASSES) $(JAVA_LINT) && mkdir -p $(JAVA_TEST_CLASSES) $(JAVA_LINT)
	$(JAVAC) $(JAVAC_FLAGS) -cp $(JAVA_CLASSES):$(JAVA_MAIN_CP):$(JUNIT_JAR) -d $(JAVA_TEST_CLASSES) \
	    $$(find $(JAVA_DIR)/src/test -name '*.java' | sort)
	$(JAVAC) $(JAVAC_FLAGS) -cp $(JAVA_CLASSES):$(JNA_JAR) -d $(JAVA_LINT) \
	    $(JAVA_DIR)/bench/Bench.java $(ROOT)/tests/dist/Quickstart.java

## The JUnit 5 suite against the debug library and a fresh emulator (JAVA_TESTS: a class or
## method selector for the launcher, e.g. JAVA_TESTS='--select-class authtoken.ClientTest').
JAVA_TESTS ?= --scan-class-path $(JAVA_TEST_CLASSES)
test-java: lint-java
	$(CARGO) build -q -p authtoken --lib -p authtoken-emulator
	cd $(JAVA_DIR) && AUTHTOKEN_ROOT=$(ROOT) AUTHTOKEN_JAVA_CP=$(JAVA_TEST_CP) AUTHTOKEN_LIB_DEBUG=$(JAVA_DEBUG_LIB) \
	  $(ROOT)/scripts/with-emulator.sh $(JAVA) -Dauthtoken.lib=$(JAVA_DEBUG_LIB) -jar $(JUNIT_JAR) \
	    --class-path $(JAVA_TEST_CP) --disable-banner --disable-ansi-colors --details=tree --fail-if-no-tests $(JAVA_TESTS)

## Figures: a warm authorizationHeader() next to authtoken_noop (BENCH_PROFILE=debug to use the
## debug library).
bench-java: lint-java
	$(CARGO) build -q $(if $(filter release,$(BENCH_PROFILE)),--release) -p authtoken --lib
	$(JAVA) -cp $(JAVA_CLASSES):$(JAVA_LINT):$(JNA_JAR) -Dauthtoken.lib=$(TARGET_DIR)/$(BENCH_PROFILE)/libauthtoken.so \
	  Bench

## authtoken-VERSION.jar: the classes, the glibc-2.17 library under authtoken/native/linux-x86_64/.
dist-java: dist-native deps-java
	scripts/dist/java-jar.sh $(JAVA_DIR) $(DIST_LIB) $(VERSION) $(DIST_STAGE)/java $(DIST_DIR)/$(JAVA_JAR)

## The jar in a clean environment: the quickstart against the C tarball's emulator.
test-dist-java:
	scripts/dist/test-dist-java.sh $(DIST_DIR)
