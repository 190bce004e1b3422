#!/usr/bin/env bash
# Provisions the local servers from package registries only (no other downloads work here):
#   temporal                 Temporal CLI (dev server), built from its Go module
#   ferretdb                 FerretDB v1 (MongoDB wire protocol, SQLite backend), built from its Go module
#   temporal-test-server     Temporal's time-skipping test server, jars from Maven Central, run with java
#   deploy                   what the deployment checks use: the docker compose plugin (built from its Go
#                            module, when the docker client lacks it), jq and caddy (Debian packages)
#   schemathesis             the API fuzzer scripts/fuzz.sh runs: a Python venv with schemathesis from PyPI,
#                            every package pinned by version and hash in scripts/fuzz-requirements.txt
# Pinned, cached in $GONGZHI_CACHE (default ~/.cache/gongzhi) and linked into .tools/bin (git-ignored).
# Idempotent: a second run does nothing but check.
set -euo pipefail

TEMPORAL_CLI_VERSION="v1.5.1"
FERRETDB_VERSION="v1.24.0"
TEMPORAL_TEST_SERVER_VERSION="1.38.0"
SLF4J_VERSION="1.7.36" # the slf4j-api the test server depends on
DOCKER_COMPOSE_VERSION="v2.40.3"
SCHEMATHESIS_VERSION="4.32.5" # its dependencies: scripts/fuzz-requirements.txt

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${GONGZHI_CACHE:-$HOME/.cache/gongzhi}"
bin="$root/.tools/bin"
mkdir -p "$cache/bin" "$bin"

say() { printf '[provision] %s\n' "$*" >&2; }
die() { printf '[provision] ERROR: %s\n' "$*" >&2; exit 1; }
need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed; $2"
}

link() { ln -sfn "$1" "$bin/$2"; }

provision_temporal() {
  local out="$cache/bin/temporal-$TEMPORAL_CLI_VERSION"
  if [ ! -x "$out" ]; then
    need go "install Go (https://go.dev/dl or 'apt-get install golang') to build the Temporal CLI, or set TEMPORAL_ADDRESS to an existing server"
    say "building Temporal CLI $TEMPORAL_CLI_VERSION with go install (first run only, a few minutes)…"
    local tmp; tmp="$(mktemp -d)"
    GOBIN="$tmp" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION" \
      || die "go install of the Temporal CLI failed (is the Go module proxy reachable? if Go is too old: export GOTOOLCHAIN=go1.27.3)"
    mv "$tmp/temporal" "$out"; rm -rf "$tmp"
  fi
  link "$out" temporal
}

provision_ferretdb() {
  # Our patch (scripts/patches): the SQLite backend's lookups by _id use its _id index instead of
  # scanning the collection. The patch's hash is in the name, so a changed patch rebuilds.
  local patch="$root/scripts/patches/ferretdb-$FERRETDB_VERSION-sqlite-id-index.patch"
  [ -f "$patch" ] || die "missing $patch"
  local tag; tag="$(sha256sum "$patch" | cut -c1-8)"
  local out="$cache/bin/ferretdb-$FERRETDB_VERSION-$tag"
  if [ ! -x "$out" ]; then
    need go "install Go to build FerretDB, or set MONGODB_URI to an existing MongoDB"
    say "building FerretDB $FERRETDB_VERSION from its Go module (first run only)…"
    go mod download "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" \
      || die "could not download the FerretDB module from the Go module proxy"
    local src; src="$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [ -d "$src" ] || die "FerretDB module source not found after download"
    local tmp; tmp="$(mktemp -d)"
    cp -r "$src/." "$tmp/"; chmod -R u+w "$tmp"
    # The module zip lacks the generated version file that `go install` would need.
    echo "$FERRETDB_VERSION" > "$tmp/build/version/version.txt"
    need patch "install patch ('apt-get install patch') to apply scripts/patches to FerretDB"
    (cd "$tmp" && patch -p1 --quiet < "$patch") || die "applying $patch to FerretDB failed"
    (cd "$tmp" && go build -o "$out.partial" ./cmd/ferretdb) || die "building FerretDB failed"
    mv "$out.partial" "$out"; rm -rf "$tmp"
  fi
  link "$out" ferretdb
}

provision_test_server() {
  local dir="$cache/temporal-test-server-$TEMPORAL_TEST_SERVER_VERSION"
  if [ ! -f "$dir/.complete" ]; then
    need java "install a Java 11+ runtime ('apt-get install default-jre-headless') for the time-skipping test server"
    need mvn "install Maven ('apt-get install maven') to fetch the time-skipping test server from Maven Central"
    say "fetching io.temporal:temporal-test-server:$TEMPORAL_TEST_SERVER_VERSION from Maven Central (first run only)…"
    rm -rf "$dir"; mkdir -p "$dir"
    cat > "$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>gongzhi</groupId><artifactId>temporal-test-server-fetch</artifactId><version>1</version>
  <dependencies><dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId>
    <version>$TEMPORAL_TEST_SERVER_VERSION</version></dependency></dependencies>
</project>
POM
    (cd "$dir" && mvn -q -B dependency:copy-dependencies -DoutputDirectory="$dir/lib" >"$dir/mvn.log" 2>&1) \
      || die "Maven could not fetch the test server; see $dir/mvn.log"
    touch "$dir/.complete"
  fi
  # The server logs through SLF4J; without a binding it warns on every start. The no-op binding, pinned.
  if [ ! -f "$dir/lib/slf4j-nop-$SLF4J_VERSION.jar" ]; then
    (cd "$dir" && mvn -q -B dependency:copy -Dartifact="org.slf4j:slf4j-nop:$SLF4J_VERSION" \
      -DoutputDirectory="$dir/lib" >>"$dir/mvn.log" 2>&1) \
      || die "Maven could not fetch org.slf4j:slf4j-nop:$SLF4J_VERSION; see $dir/mvn.log"
  fi
  # Our launcher (scripts/test-server) can start the server's clock at a chosen instant; compiled once
  # per version of its source, against the jars above.
  local src="$root/scripts/test-server/GongzhiTestServer.java"
  [ -f "$src" ] || die "missing $src"
  local classes; classes="$dir/launcher-$(sha256sum "$src" | cut -c1-8)"
  if [ ! -f "$classes/GongzhiTestServer.class" ]; then
    need javac "install a Java 11+ JDK ('apt-get install default-jdk-headless') to compile the test server's launcher"
    mkdir -p "$classes.partial"
    javac -nowarn -cp "$dir/lib/*" -d "$classes.partial" "$src" || die "compiling $src failed"
    rm -rf "$classes"; mv "$classes.partial" "$classes"
  fi
  # @temporalio/testing starts this with the port (and our --initial-time, if given) as arguments and
  # locks/unlocks time skipping itself.
  cat > "$bin/temporal-test-server" <<WRAP
#!/usr/bin/env bash
exec java -Xss1m -XX:+UseSerialGC -cp '$classes:$dir/lib/*' GongzhiTestServer "\$@"
WRAP
  chmod +x "$bin/temporal-test-server"
}

provision_deploy() {
  # The compose file is checked with `docker compose config` (no engine needed) and the proxy's
  # Caddyfile with `caddy validate`; the search-attribute script is run against a fake CLI with jq.
  if command -v docker >/dev/null 2>&1 && ! docker compose version >/dev/null 2>&1; then
    local out="$cache/bin/docker-compose-$DOCKER_COMPOSE_VERSION"
    if [ ! -x "$out" ]; then
      need go "install Go to build the docker compose plugin"
      say "building docker compose $DOCKER_COMPOSE_VERSION from its module (first run only, a few minutes)…"
      # Built as the main module from its own source: `go install pkg@version` refuses a go.mod with
      # exclude directives, which compose's has.
      local src tmp; tmp="$(mktemp -d)"
      src="$(go mod download -json "github.com/docker/compose/v2@$DOCKER_COMPOSE_VERSION" | jq -r .Dir 2>/dev/null \
        || go mod download -json "github.com/docker/compose/v2@$DOCKER_COMPOSE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
      [ -n "$src" ] && [ -d "$src" ] || die "go mod download of docker compose failed (is the Go module proxy reachable?)"
      cp -r "$src" "$tmp/src" && chmod -R u+w "$tmp/src"
      (cd "$tmp/src" && go build -trimpath -o "$tmp/docker-compose" ./cmd) \
        || die "go build of docker compose failed (is the Go module proxy reachable?)"
      mv "$tmp/docker-compose" "$out"; rm -rf "$tmp"
    fi
    mkdir -p "$HOME/.docker/cli-plugins"
    ln -sfn "$out" "$HOME/.docker/cli-plugins/docker-compose"
  fi
  local missing=()
  command -v jq >/dev/null 2>&1 || missing+=(jq)
  command -v caddy >/dev/null 2>&1 || missing+=(caddy)
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      say "installing ${missing[*]} with apt-get…"
      { apt-get install -y "${missing[@]}" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "${missing[@]}" >/dev/null; }; } \
        || die "apt-get install ${missing[*]} failed"
    else
      die "install ${missing[*]} (as root: apt-get update && apt-get install -y ${missing[*]}) for the deployment checks"
    fi
  fi
}

provision_schemathesis() {
  # A venv per (version, requirements file): a changed pin set installs afresh beside the old one.
  local reqs="$root/scripts/fuzz-requirements.txt"
  [ -f "$reqs" ] || die "missing $reqs"
  grep -q "^schemathesis==$SCHEMATHESIS_VERSION " "$reqs" \
    || die "$reqs does not pin schemathesis==$SCHEMATHESIS_VERSION (regenerate it: see its header)"
  local tag; tag="$(sha256sum "$reqs" | cut -c1-8)"
  local venv="$cache/schemathesis-$SCHEMATHESIS_VERSION-$tag"
  if [ ! -f "$venv/.complete" ] || [ "$("$venv/bin/st" --version 2>/dev/null)" != "st, version $SCHEMATHESIS_VERSION" ]; then
    need python3 "install Python 3.11+ ('apt-get install python3 python3-venv') for schemathesis"
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
      || die "schemathesis needs Python 3.11+ (found $(python3 -V 2>&1)): $reqs was resolved for 3.11"
    say "installing schemathesis $SCHEMATHESIS_VERSION from PyPI into $venv (first run only)…"
    rm -rf "$venv"
    python3 -m venv "$venv" >/dev/null 2>&1 \
      || { rm -rf "$venv"; die "python3 -m venv failed (on Debian: apt-get install python3-venv)"; }
    local log="$cache/schemathesis-pip.log"
    # Wheels only and every file checked against its hash: nothing is built, nothing unpinned comes in.
    if ! "$venv/bin/python" -m pip install --no-input --disable-pip-version-check --retries 2 \
      --require-hashes --only-binary :all: -r "$reqs" >"$log" 2>&1; then
      rm -rf "$venv"
      tail -n 5 "$log" >&2
      if grep -qiE 'connection|timed out|resolve|unreachable|No matching distribution|Could not find a version' "$log"; then
        die "pip could not fetch schemathesis $SCHEMATHESIS_VERSION and its dependencies: is PyPI reachable (pip honours PIP_INDEX_URL and pip.conf)? Full log: $log"
      fi
      die "pip install -r $reqs failed; full log: $log"
    fi
    [ "$("$venv/bin/st" --version 2>/dev/null)" = "st, version $SCHEMATHESIS_VERSION" ] \
      || die "schemathesis was installed but '$venv/bin/st --version' does not report $SCHEMATHESIS_VERSION"
    touch "$venv/.complete"
  fi
  # The venv's scripts name its python by absolute path, so links to them run from anywhere.
  link "$venv/bin/st" st
}

what="${1:-all}"
case "$what" in
  all) provision_temporal; provision_ferretdb; provision_test_server; provision_deploy; provision_schemathesis ;;
  deploy) provision_deploy ;;
  temporal) provision_temporal ;;
  ferretdb) provision_ferretdb ;;
  test-server) provision_test_server ;;
  schemathesis) provision_schemathesis ;;
  *) die "unknown target '$what' (all | temporal | ferretdb | test-server | deploy | schemathesis)" ;;
esac
say "ready: $(ls "$bin" | tr '\n' ' ')"
