#!/usr/bin/env bash
# Builds the Debian packages (docs/operations.md, "Install"):
#   aar_<version>_amd64.deb  the registry: aar, aar.service, /etc/default/aar, bash completion
#   ams_<version>_amd64.deb  the management service and its client: ams, amc, ams.service, /etc/default/ams, completion
# Each program is built by packaging/publish.sh under /usr/lib/<program>/ and linked from /usr/bin: the CLIs aar and
# amc are Native AOT, the daemons self-contained ReadyToRun (aar's in /usr/lib/aar/server/); the target needs no
# .NET. Usage: packaging/build-debs.sh [OUT_DIR]   (default packaging/out)
# PACKAGE_VERSION overrides the version (default: <Version> in Directory.Build.props); DEB_COMPRESSION the dpkg-deb
# compressor (default xz, the smallest; the CI's install test uses gzip, which is faster to build).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
out="$(mkdir -p "${1:-$repo/packaging/out}" && cd "${1:-$repo/packaging/out}" && pwd)"
version="${PACKAGE_VERSION:-$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n1)}"
[ -n "$version" ] || { echo "build-debs: no <Version> in Directory.Build.props" >&2; exit 1; }
for tool in dotnet dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "build-debs: $tool is needed" >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# One program as publish.sh builds it, into <root>/usr/lib/<name>, linked as /usr/bin/<name>.
publish() {
  local name="$1" root="$2"
  echo "build-debs: publishing $name"
  packaging/publish.sh "$name" "$root/usr/lib/$name"
  install -d "$root/usr/bin"
  ln -s "../lib/$name/$name" "$root/usr/bin/$name"
  install -D -m 0644 /dev/stdin "$root/usr/share/bash-completion/completions/$name" \
    < <(sed "s/@NAME@/$name/g" packaging/completion/suggest.bash)
}

# The unit, its configuration file, the maintainer scripts, the documentation, the control file; then dpkg-deb.
package() {
  local name="$1" summary="$2" description="$3" root="$work/$1"
  install -D -m 0644 "packaging/systemd/$name.service" "$root/lib/systemd/system/$name.service"
  install -D -m 0640 "packaging/default/$name" "$root/etc/default/$name"
  install -D -m 0644 docs/operations.md "$root/usr/share/doc/$name/operations.md"
  install -d "$root/DEBIAN"
  for script in postinst prerm postrm; do
    sed -e "s/@NAME@/$name/g" -e "s/@DESCRIPTION@/$summary/g" "packaging/debian/$script" > "$root/DEBIAN/$script"
    chmod 0755 "$root/DEBIAN/$script"
  done
  echo "/etc/default/$name" > "$root/DEBIAN/conffiles"
  cat > "$root/DEBIAN/control" <<CONTROL
Package: $name
Version: $version
Architecture: amd64
Maintainer: Anbox application registry developers <noreply@localhost>
Section: net
Priority: optional
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: libc6, libgcc-s1, libstdc++6, libssl3 | libssl1.1, zlib1g, passwd, init-system-helpers
Recommends: ca-certificates, bash-completion
Description: $summary
$(printf '%s\n' "$description" | sed 's/^/ /')
CONTROL
  # --root-owner-group: every file root:root whoever builds; the service user owns only what postinst creates.
  dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-xz}" --build "$root" "$out/${name}_${version}_amd64.deb" >/dev/null
  echo "build-debs: $out/${name}_${version}_amd64.deb"
}

publish aar "$work/aar"
package aar "Anbox application registry (aar)" \
"Stores Android application versions and serves them to trusted AMS instances
over mutual TLS. Runs as the aar.service systemd unit, user aar, data in
/var/lib/aar, options in /etc/default/aar; 'aar' is also its admin CLI."

publish ams "$work/ams"
publish amc "$work/ams"
package ams "Anbox management service (ams) and its client (amc)" \
"Keeps the catalogue of Android applications of one machine and syncs it with
a registry. Runs as the ams.service systemd unit, user ams, data in
/var/lib/ams, options in /etc/default/ams; 'amc' manages it."
