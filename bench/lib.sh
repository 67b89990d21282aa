# lib.sh -- setup and measuring pieces shared by the bench/ scripts. Source it; it defines
# functions only and changes nothing by itself.

# Debian's docker-registry (and nginx for run.sh) are the peers we measure against; install them once if missing.
bench_install_peers() {
  local missing=() p
  for p in "$@"; do command -v "$p" >/dev/null || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# bench_make_certs DIR -- a CA for the peers' client verification, a server cert for the peers (127.0.0.1), and one
# client leaf (CA:FALSE, clientAuth) that the peers accept through the CA and aar by its pinned fingerprint.
# Kept when DIR/client.crt already exists, so repeated runs reuse them.
bench_make_certs() {
  local d=$1
  mkdir -p "$d"
  [ -f "$d/client.crt" ] && return 0
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=bench-ca \
    -addext basicConstraints=critical,CA:TRUE -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=localhost \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -addext "extendedKeyUsage=serverAuth" \
    -keyout "$d/server.key" -out "$d/server.crt" 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=bench-client \
    -keyout "$d/client.key" -out "$d/client.csr" 2>/dev/null
  printf 'basicConstraints=critical,CA:FALSE\nextendedKeyUsage=clientAuth\n' > "$d/client.ext"
  openssl x509 -req -in "$d/client.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 30 \
    -extfile "$d/client.ext" -out "$d/client.crt" 2>/dev/null
}

# bench_registry_yml WORK PORT -- docker-registry config on stdout: TLS + clientcas (mTLS), filesystem storage under
# WORK/registry, deletes on (used between push runs), upload purging off, log level warn (the fair-benchmark setup of docs/benchmarks.md).
bench_registry_yml() {
  local w=$1 port=$2
  cat <<YML
version: 0.1
log: { level: warn, accesslog: { disabled: true } }
storage:
  filesystem: { rootdirectory: $w/registry }
  delete: { enabled: true }
  cache: { blobdescriptor: inmemory }
  maintenance: { uploadpurging: { enabled: false } }
http:
  addr: 127.0.0.1:$port
  tls:
    certificate: $w/certs/server.crt
    key: $w/certs/server.key
    clientcas: [ $w/certs/ca.crt ]
YML
}

# bench_wait_port PORT -- until something listens on 127.0.0.1:PORT (20 s at most).
bench_wait_port() {
  local _
  for _ in $(seq 1 100); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done
  echo "nothing listens on 127.0.0.1:$1" >&2; return 1
}

# bench_cpu_s PID... -- user + system CPU seconds (all threads) of the processes, from /proc/<pid>/stat.
bench_cpu_s() {
  local t=0 p
  for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12+$13}'))); done
  awk -v t="$t" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", t/hz}'
}

# bench_server_cpu_s -- bench_cpu_s of the processes named in SERVER_PIDS ("pid ..."; 0.00 when it is unset): the
# scripts that move bytes to or from a server report its CPU seconds (user + system, all threads) per GB moved.
bench_server_cpu_s() { bench_cpu_s ${SERVER_PIDS:-}; }

# bench_server_cpu_per_gb C0 BYTES -- " server_cpu_s_per_GB=N" for the BYTES moved since bench_server_cpu_s printed
# C0, ready to append to a RESULT line; nothing when SERVER_PIDS is unset.
bench_server_cpu_per_gb() {
  [ -n "${SERVER_PIDS:-}" ] || return 0
  awk -v c0="$1" -v c1="$(bench_server_cpu_s)" -v b="$2" 'BEGIN{printf " server_cpu_s_per_GB=%.2f", (c1-c0)/(b/1e9)}'
}

# bench_rss_mb PID VmHWM|VmRSS -- peak (VmHWM) or current resident memory in MB (MiB, as the kernel counts kB).
bench_rss_mb() { awk -v k="$2" '$1==k":"{printf "%.0f", $2/1024}' "/proc/$1/status"; }

# median of the numbers on stdin, one per line
bench_median() { sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }

# bench_publish REPO OUT -- the three executables as they ship (docs/install.md): `dotnet publish` in Release,
# framework-dependent, ReadyToRun for this machine's runtime identifier, one folder each under OUT
# (OUT/aar/aar, OUT/ams/ams, OUT/amc/amc). A benchmark of a daemon's first transfers otherwise measures the JIT.
bench_publish() {
  local repo=$1 out=$2 p
  for p in Aar.Cli:aar Ams.Cli:ams Amc.Cli:amc; do
    dotnet publish "$repo/src/${p%%:*}" -c Release -r "$(bench_rid)" --self-contained false -p:PublishReadyToRun=true \
      -o "$out/${p##*:}" -nologo -v quiet >/dev/null
  done
}
bench_rid() { case "$(uname -m)" in aarch64) echo linux-arm64 ;; *) echo linux-x64 ;; esac; }
