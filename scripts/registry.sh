#!/usr/bin/env bash
# A real OCI registry (Debian's docker-registry) over HTTPS on 127.0.0.1, with htpasswd auth or
# token auth (a token service decides what each login may do), plus skopeo and htpasswd, for the tests. No daemon and no Docker engine: packages are fetched with
# `apt-get download` and unpacked with `dpkg -x` into .cache/registry/root, together with the
# runtime libraries they need that this machine lacks.
#
#   scripts/registry.sh install         unpack the tools (idempotent; fast when already done)
#   scripts/registry.sh env             print PATH/LD_LIBRARY_PATH exports for the unpacked tools (eval it)
#   scripts/registry.sh paths           print `bin DIR` and `lib DIRS` lines (for test/support/registry.ts)
#   scripts/registry.sh cert DIR [CA]   server cert for 127.0.0.1 into DIR, signed by the CA in CA
#                                       (default DIR); a throwaway CA is made there if none exists
#   scripts/registry.sh signer-cert DIR  self-signed cert DIR/signer.crt for the token signing key DIR/signer.key
#   scripts/registry.sh config DIR PORT [tls|plain] [htpasswd | token REALM SERVICE ISSUER ROOTCERTBUNDLE]
#                                       config.yml for `docker-registry serve` in DIR
#   scripts/registry.sh start [PORT]    start a registry (port 0 = any free one); prints its address (user/password files in the state dir)
#   scripts/registry.sh stop            stop the registry that `start` started
set -euo pipefail

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${REGCRED_REGISTRY_CACHE:-$PROJECT_DIR/.cache/registry}"
ROOT="$CACHE_DIR/root"
DEBS="$CACHE_DIR/debs"
RUN_DIR="$CACHE_DIR/run"
# Bump when the set of packages or the layout changes, so old caches are rebuilt.
STAMP_VERSION=1
PACKAGES=(docker-registry skopeo apache2-utils)

log() { echo "registry.sh: $*" >&2; }

lib_dirs() {
  local d dirs=()
  for d in "$ROOT"/usr/lib/*-linux-gnu "$ROOT"/lib/*-linux-gnu "$ROOT"/usr/lib/*-linux-gnu/*; do
    [[ -d $d ]] && compgen -G "$d/*.so*" >/dev/null && dirs+=("$d")
  done
  local IFS=:
  echo "${dirs[*]}"
}

tool_env() {
  export PATH="$ROOT/usr/bin:$ROOT/usr/sbin:$PATH"
  local libs; libs="$(lib_dirs)"
  [[ -n $libs ]] && export LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  return 0
}

installed() {
  [[ -f $CACHE_DIR/installed && $(cat "$CACHE_DIR/installed") == "$STAMP_VERSION" ]] &&
    [[ -x $ROOT/usr/bin/docker-registry && -x $ROOT/usr/bin/skopeo && -x $ROOT/usr/bin/htpasswd ]]
}

# apt-get download, refreshing the package lists once if they are missing or stale.
download() {
  (cd "$DEBS" && apt-get download -qq "$@" </dev/null 2>/dev/null) && return 0
  log "refreshing package lists (apt-get update)"
  apt-get update -qq </dev/null >&2
  (cd "$DEBS" && apt-get download -qq "$@" </dev/null)
}

# First alternative of each Depends entry of a .deb, without version constraints.
deb_depends() {
  { dpkg-deb -f "$1" Depends; dpkg-deb -f "$1" Pre-Depends; } | tr ',' '\n' | sed -E 's/\|.*//; s/\(.*\)//; s/:any//; s/[[:space:]]//g' | grep -v '^$' || true
}

host_has() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing_libs() {
  local bin
  for bin in "$ROOT"/usr/bin/docker-registry "$ROOT"/usr/bin/skopeo "$ROOT"/usr/bin/htpasswd; do
    LD_LIBRARY_PATH="$(lib_dirs)" ldd "$bin" 2>/dev/null | awk '/not found/ {print $1}'
  done | sort -u
}

cmd_install() {
  if installed; then return 0; fi
  mkdir -p "$CACHE_DIR"
  # Parallel test workers may all call install on a cold cache: one unpacks, the others wait.
  exec 9>"$CACHE_DIR/.lock"
  flock 9
  if installed; then exec 9>&-; return 0; fi
  command -v apt-get >/dev/null || { log "needs apt-get (Debian/Ubuntu)"; exit 1; }
  rm -rf "$ROOT" "$DEBS"
  mkdir -p "$ROOT" "$DEBS"
  download "${PACKAGES[@]}"

  # Pull in library packages the host lacks, following Depends until nothing new turns up.
  local -A seen=()
  local p deb dep
  for p in "${PACKAGES[@]}"; do seen[$p]=1; done
  local queue=("$DEBS"/*.deb)
  while ((${#queue[@]})); do
    local next=()
    for deb in "${queue[@]}"; do
      while read -r dep; do
        [[ $dep == lib* && -z ${seen[$dep]:-} ]] || continue
        seen[$dep]=1
        host_has "$dep" && continue
        download "$dep"
        next+=("$(ls -t "$DEBS"/"${dep}"_*.deb | head -1)")
      done < <(deb_depends "$deb")
    done
    queue=("${next[@]+"${next[@]}"}")
  done

  for deb in "$DEBS"/*.deb; do dpkg -x "$deb" "$ROOT"; done

  local missing; missing="$(missing_libs)"
  if [[ -n $missing ]]; then
    log "still missing after unpacking: $missing"
    exit 1
  fi
  echo "$STAMP_VERSION" >"$CACHE_DIR/installed"
  exec 9>&- # release the lock, and keep a registry started after this from inheriting it
  log "installed into $ROOT ($(ls "$DEBS" | wc -l) packages)"
}

cmd_env() {
  cmd_install
  echo "export PATH=\"$ROOT/usr/bin:$ROOT/usr/sbin:\$PATH\""
  echo "export LD_LIBRARY_PATH=\"$(lib_dirs)\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}\""
}

# A CA that exists only for this test run, and a server cert for 127.0.0.1 signed by it.
cmd_cert() {
  local dir="${1:?usage: registry.sh cert DIR [CA_DIR]}" ca="${2:-$1}"
  mkdir -p "$dir" "$ca"
  dir="$(cd "$dir" && pwd)" ca="$(cd "$ca" && pwd)"
  (
    umask 077
    if [[ ! -f $ca/ca.crt || ! -f $ca/ca.key ]]; then
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj "/CN=regcred test CA" -keyout "$ca/ca.key" -out "$ca/ca.crt" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
      chmod 644 "$ca/ca.crt"
    fi
    cd "$dir"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -subj "/CN=127.0.0.1" -keyout server.key -out server.csr 2>/dev/null
    printf '%s\n' "subjectAltName=IP:127.0.0.1" "basicConstraints=CA:FALSE" \
      "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >server.ext
    openssl x509 -req -in server.csr -CA "$ca/ca.crt" -CAkey "$ca/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
      -days 2 -extfile server.ext -out server.crt 2>/dev/null
    rm -f server.csr server.ext
    chmod 644 server.crt
  )
}

# The certificate a token service's signing key (made by the caller, e.g. with Node's crypto) is
# known by: self-signed, so the registry's rootcertbundle is the cert itself; tokens carry it in x5c.
cmd_signer_cert() {
  local dir="${1:?usage: registry.sh signer-cert DIR}"
  [[ -f $dir/signer.key ]] || { log "signer-cert: $dir/signer.key is missing"; exit 1; }
  openssl req -x509 -new -key "$dir/signer.key" -days 2 -subj "/CN=regcred test token signer" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,digitalSignature,keyCertSign" \
    -set_serial "0x$(openssl rand -hex 16)" -out "$dir/signer.crt" 2>/dev/null
  chmod 644 "$dir/signer.crt"
}

# config.yml for `docker-registry serve`: htpasswd or token auth, HTTPS with the throwaway cert, storage in DIR.
cmd_config() {
  local dir="${1:?usage: registry.sh config DIR PORT [tls|plain] [htpasswd | token REALM SERVICE ISSUER ROOTCERTBUNDLE]}" port="${2:?PORT}" tls="${3:-tls}" auth="${4:-htpasswd}"
  dir="$(cd "$dir" && pwd)"
  local tls_block=""
  [[ $tls == tls ]] && tls_block="  tls:
    certificate: $dir/server.crt
    key: $dir/server.key"
  local auth_block
  case "$auth" in
    htpasswd) auth_block="  htpasswd:
    realm: regcred-test
    path: $dir/htpasswd" ;;
    token) auth_block="  token:
    realm: ${5:?REALM}
    service: ${6:?SERVICE}
    issuer: ${7:?ISSUER}
    rootcertbundle: ${8:?ROOTCERTBUNDLE}" ;;
    *) log "config: auth must be htpasswd or token, got '$auth'"; exit 2 ;;
  esac
  cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
auth:
$auth_block
http:
  addr: 127.0.0.1:$port
  secret: $(openssl rand -hex 16)
$tls_block
health:
  storagedriver:
    enabled: false
YAML
}

cmd_paths() {
  cmd_install
  echo "bin $ROOT/usr/bin"
  echo "lib $(lib_dirs)"
}

cmd_start() {
  local port="${1:-0}"
  cmd_install
  tool_env
  command -v curl >/dev/null || { log "start needs curl"; exit 1; }
  [[ -f $RUN_DIR/pid ]] && kill -0 "$(cat "$RUN_DIR/pid")" 2>/dev/null && { log "already running"; exit 1; }
  rm -rf "$RUN_DIR"
  mkdir -p "$RUN_DIR/storage"
  cmd_cert "$RUN_DIR"
  local user="${REGISTRY_USERNAME:-regcred}" pass="${REGISTRY_PASSWORD:-$(openssl rand -hex 12)}"
  printf '%s' "$pass" | htpasswd -B -i -c "$RUN_DIR/htpasswd" "$user" 2>/dev/null
  printf '%s\n' "$user" >"$RUN_DIR/username"
  (umask 077 && printf '%s\n' "$pass" >"$RUN_DIR/password")
  cmd_config "$RUN_DIR" "$port" tls
  nohup docker-registry serve "$RUN_DIR/config.yml" >"$RUN_DIR/registry.log" 2>&1 &
  echo $! >"$RUN_DIR/pid"
  # With port 0 the kernel picks a free port; the registry logs the address it really bound.
  local i addr=""
  for i in $(seq 1 100); do
    addr="$(sed -nE 's/.*listening on (127\.0\.0\.1:[0-9]+).*/\1/p' "$RUN_DIR/registry.log" | head -1)"
    if [[ -n $addr ]]; then
      local code
      code="$(curl -s -o /dev/null -w '%{http_code}' --cacert "$RUN_DIR/ca.crt" "https://$addr/v2/" || true)"
      if [[ $code == 401 ]]; then
        echo "$addr" >"$RUN_DIR/address"
        echo "registry=$addr ca=$RUN_DIR/ca.crt username=$user password-file=$RUN_DIR/password"
        return 0
      fi
    fi
    kill -0 "$(cat "$RUN_DIR/pid")" 2>/dev/null || break
    sleep 0.1
  done
  log "registry did not come up; log follows"
  cat "$RUN_DIR/registry.log" >&2
  cmd_stop
  exit 1
}

cmd_stop() {
  [[ -f $RUN_DIR/pid ]] || return 0
  kill "$(cat "$RUN_DIR/pid")" 2>/dev/null || true
  rm -rf "$RUN_DIR"
}

case "${1:-}" in
  install) cmd_install ;;
  env) cmd_env ;;
  paths) cmd_paths ;;
  cert) cmd_cert "${2:-}" "${3:-}" ;;
  signer-cert) cmd_signer_cert "${2:-}" ;;
  config) shift; cmd_config "$@" ;;
  start) cmd_start "${2:-}" ;;
  stop) cmd_stop ;;
  *) echo "usage: $0 install|env|paths|cert DIR [CA_DIR]|signer-cert DIR|config DIR PORT [tls|plain] [htpasswd|token REALM SERVICE ISSUER BUNDLE]|start [PORT]|stop" >&2; exit 2 ;;
esac
