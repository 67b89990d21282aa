#!/usr/bin/env bash
# Package install test (docs/operations.md, "Install"): builds the .deb packages, checks the units with
# systemd-analyze verify, installs them with dpkg -i, runs the installed programs through the seed's flow (a
# registry, a publisher AMS, a client AMS joined with a token, one application published and pulled), checks bash
# completion, upgrades both packages in place (the data must survive), then purges them and checks nothing is left.
# Needs root (it installs packages and creates system users). With systemd as PID 1 the services run as units;
# without it (a container, a VM whose init is not systemd) the test runs each unit's ExecStart itself, as the
# unit's user with its EnvironmentFile, and says so. Safe to re-run; refuses to touch an aar or ams installation it
# did not make. Usage: packaging/test-debs.sh [DEB_DIR]   (DEB_DIR: use packages built there instead of building)
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
marker=/var/tmp/aar-test-debs.installed

say() { printf 'test-debs: %s\n' "$*"; }
fail() { printf 'test-debs: FAILED: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" != 0 ]; then
  say "SKIPPED: needs root (it installs the packages and creates the aar and ams users)."
  exit 0
fi
for tool in dpkg dpkg-deb systemd-analyze runuser ss; do
  command -v "$tool" >/dev/null || { say "SKIPPED: $tool is not installed."; exit 0; }
done
for package in aar ams; do
  if [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" = "install ok installed" ] && [ ! -e "$marker" ]; then
    say "SKIPPED: the $package package is installed and not by this test; it would be purged."
    exit 0
  fi
  if [ ! -e "$marker" ] && { [ -e "/var/lib/$package" ] || getent passwd "$package" >/dev/null; }; then
    say "SKIPPED: /var/lib/$package or a user $package exists and not from this test; purging would delete it."
    exit 0
  fi
done

if [ "$(ps -p 1 -o comm=)" = systemd ] && [ -d /run/systemd/system ]; then
  with_systemd=1
  say "systemd is PID 1: the services run as systemd units."
else
  with_systemd=0
  say "systemd is not PID 1 here ($(ps -p 1 -o comm=)): each unit's ExecStart runs directly, as its User= with its EnvironmentFile=."
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$with_systemd" = 1 ]; then systemctl stop aar ams 2>/dev/null || true; fi
  if [ -e "$marker" ]; then
    dpkg --purge aar ams >/dev/null 2>&1 || true
    rm -f "$marker"
  fi
  if [ "$status" != 0 ]; then
    for log in "$work"/*.log; do [ -e "$log" ] && { echo "--- $log" >&2; tail -n 40 "$log" >&2; }; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# 1. Build (or take) the packages.
debs="${1:-$work/debs}"
if [ -z "${1:-}" ]; then
  packaging/build-debs.sh "$debs" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "build-debs.sh failed"; }
fi
aar_deb="$(ls "$debs"/aar_*_amd64.deb | head -n1)"
ams_deb="$(ls "$debs"/ams_*_amd64.deb | head -n1)"
say "packages: $(basename "$aar_deb") $(basename "$ams_deb")"
for deb in "$aar_deb" "$ams_deb"; do
  grep -q './usr/share/bash-completion/completions/' <<<"$(dpkg-deb --contents "$deb")" || fail "$deb has no bash completion"
done

# 2. Install.
touch "$marker"
dpkg -i "$aar_deb" "$ams_deb" >"$work/dpkg-install.log" 2>&1 || { cat "$work/dpkg-install.log" >&2; fail "dpkg -i"; }
say "installed: aar $(dpkg-query -W -f='${Version}' aar), ams $(dpkg-query -W -f='${Version}' ams)"
for user in aar ams; do
  getent passwd "$user" >/dev/null || fail "postinst did not create the user $user"
  [ "$(stat -c '%U:%G %a' "/var/lib/$user")" = "$user:$user 750" ] || fail "/var/lib/$user is $(stat -c '%U:%G %a' "/var/lib/$user")"
  [ "$(stat -c '%U:%G %a' "/etc/default/$user")" = "root:$user 640" ] || fail "/etc/default/$user is $(stat -c '%U:%G %a' "/etc/default/$user")"
  [ -L "/etc/systemd/system/multi-user.target.wants/$user.service" ] || fail "postinst did not enable $user.service"
done

# 3. The units as installed: systemd-analyze verify checks the syntax, the directives and that ExecStart exists.
systemd-analyze verify /lib/systemd/system/aar.service /lib/systemd/system/ams.service >"$work/verify.log" 2>&1 \
  || { cat "$work/verify.log" >&2; fail "systemd-analyze verify"; }
if [ -s "$work/verify.log" ]; then say "systemd-analyze verify said:"; sed 's/^/  /' "$work/verify.log"; fi
say "systemd-analyze verify: both units pass"

# 4. Shell completion: the installed script asks the installed binary.
complete_words() {
  # What bash sets before calling a completion function, for a cursor at the end of the line.
  bash -c 'source "/usr/share/bash-completion/completions/$1"
    COMP_LINE="$2"; COMP_POINT=${#2}; read -ra COMP_WORDS <<<"$2"
    if [ "${2: -1}" = " " ]; then COMP_WORDS+=(""); fi
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    "_$1_suggest" "$1"; printf "%s\n" "${COMPREPLY[@]}"' _ "$1" "$2"
}
# Captured first: grep -q stops reading at the first match, and pipefail would count the writer's SIGPIPE.
words="$(complete_words aar "aar tr")"
grep -qx trust <<<"$words" || fail "bash completion: 'aar tr' offered '$words', not trust"
words="$(complete_words amc "amc registry ")"
grep -qx join <<<"$words" || fail "bash completion: 'amc registry ' offered '$words', without join"
say "bash completion: aar and amc complete through their [suggest] directive"

# 5. The seed's flow on the installed programs. The registry listens on a free loopback port, set in its
#    configuration file as an operator would.
port=""
for candidate in $(shuf -i 20000-29999 -n 20); do
  if [ -z "$(ss -Hltn "sport = :$candidate")" ]; then port=$candidate; break; fi
done
[ -n "$port" ] || fail "no free port"
sed -i "s|^AAR_SERVE_ARGS=.*|AAR_SERVE_ARGS=\"--listen 127.0.0.1:$port --log-format text\"|" /etc/default/aar
client_dir=/var/lib/ams/client-test   # a second AMS (the client) beside the packaged one (the publisher)
runuser -u ams -- install -d -m 0750 "$client_dir"

# Runs a unit's ExecStart as systemd would without systemd: its User=, its EnvironmentFile=, in /; extra flags after.
# Usage: run_unit UNIT LOG_NAME [FLAG...]
run_unit() {
  local unit="/lib/systemd/system/$1.service" log="$work/$2.log"; shift 2
  local user exec env
  user="$(sed -n 's/^User=//p' "$unit")"
  exec="$(sed -n 's/^ExecStart=//p' "$unit")"
  env="$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$unit")"
  # HOME as systemd sets it from the user's entry (the data directory).
  (cd / && exec runuser -u "$user" -- env HOME="$(getent passwd "$user" | cut -d: -f6)" \
     /bin/sh -c "set -a; . '$env'; set +a; exec $exec $*") 2>"$log" &
  pids+=($!)
}
start_services() {
  if [ "$with_systemd" = 1 ]; then
    systemctl restart aar ams || { journalctl -u aar -u ams -n 50 --no-pager >&2; fail "systemctl start"; }
    systemctl is-active --quiet aar && systemctl is-active --quiet ams || fail "a unit is not active"
  else
    run_unit aar registry
    run_unit ams publisher
  fi
  run_unit ams client --data-dir "$client_dir"
  for socket in /var/lib/aar/unix.socket /var/lib/ams/unix.socket "$client_dir/unix.socket"; do
    for _ in $(seq 300); do [ -S "$socket" ] && break; sleep 0.1; done
    [ -S "$socket" ] || fail "no socket $socket: a daemon did not start"
  done
}
stop_services() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
  if [ "$with_systemd" = 1 ]; then systemctl stop aar ams; fi
}
start_services
say "registry on 127.0.0.1:$port, publisher AMS /var/lib/ams, client AMS $client_dir: running"

pub() { amc "$@"; }
cli() { amc --data-dir "$client_dir" "$@"; }
pub config trust add /var/lib/aar/certs/server.crt >/dev/null
fingerprint="$(pub config trust list --format json | grep -o '[0-9a-f]\{64\}' | head -n1)"
pub config set registry.url "https://127.0.0.1:$port"
pub config set registry.fingerprint "$fingerprint"
pub config set registry.mode push
aar trust add --publisher --name publisher-test < /var/lib/ams/registry/client.crt >/dev/null
token="$(aar trust token create --expires 15m --name client-test)"
cli registry join "$token" >/dev/null

sample="$work/sample"
mkdir -p "$sample"
cat > "$sample/manifest.yaml" <<'YAML'
name: sample
version: "1.0"
instance-type: a2.3
boot-package: com.example.sample
YAML
pub application create "$sample" >/dev/null
pub application publish sample 0 >/dev/null
pub registry sync --wait >/dev/null
cli registry sync --wait >/dev/null
grep -q '"status": *"ready"' <<<"$(cli application show sample --format json)" || fail "the client did not get 'sample' ready"
grep -q sample <<<"$(aar application list)" || fail "the registry does not list 'sample'"
say "seed flow: published on the publisher, listed by the registry, ready on the client"

# 6. Upgrade: the same programs as a newer version. The data directories must survive and the daemons start on them.
stop_services
upgrade="$work/upgrade"
for deb in "$aar_deb" "$ams_deb"; do
  rm -rf "$upgrade" && dpkg-deb -R "$deb" "$upgrade"
  sed -i 's/^Version: \(.*\)$/Version: \1+upgrade1/' "$upgrade/DEBIAN/control"
  dpkg-deb --root-owner-group -Znone --build "$upgrade" "$work/$(basename "$deb" .deb)-upgrade.deb" >/dev/null
done
dpkg -i --force-confdef --force-confold "$work"/*-upgrade.deb >"$work/dpkg-upgrade.log" 2>&1 || { cat "$work/dpkg-upgrade.log" >&2; fail "dpkg -i (upgrade)"; }
grep -q "^AAR_SERVE_ARGS=\"--listen 127.0.0.1:$port" /etc/default/aar || fail "the upgrade replaced the edited /etc/default/aar"
start_services
grep -q '"status": *"ready"' <<<"$(cli application show sample --format json)" || fail "after the upgrade the client lost 'sample'"
grep -q sample <<<"$(aar application list)" || fail "after the upgrade the registry lost 'sample'"
say "upgrade to $(dpkg-query -W -f='${Version}' aar): configuration and data kept, both daemons start on them"
stop_services

# 7. Purge: nothing of the packages is left.
dpkg --purge aar ams >"$work/dpkg-purge.log" 2>&1 || { cat "$work/dpkg-purge.log" >&2; fail "dpkg --purge"; }
rm -f "$marker"
for name in aar ams amc; do
  [ ! -e "/usr/bin/$name" ] && [ ! -e "/usr/lib/$name" ] || fail "/usr/bin/$name or /usr/lib/$name is left"
  [ ! -e "/usr/share/bash-completion/completions/$name" ] || fail "the $name completion is left"
done
for name in aar ams; do
  for path in "/var/lib/$name" "/etc/default/$name" "/lib/systemd/system/$name.service" \
              "/etc/systemd/system/multi-user.target.wants/$name.service" "/etc/systemd/system/$name.service"; do
    [ ! -e "$path" ] && [ ! -L "$path" ] || fail "$path is left after purge"
  done
  ! getent passwd "$name" >/dev/null || fail "the user $name is left after purge"
  ! getent group "$name" >/dev/null || fail "the group $name is left after purge"
done
say "purge: no file, user, group or unit link left"
say "1 passed, 0 failed"
