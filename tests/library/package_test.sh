#!/usr/bin/env bash
# The Debian packages (`make package`): built with CPack into a temporary directory, their
# contents and control fields checked with dpkg-deb, the runtime package extracted into a
# temporary root and its programs run from there, and its systemd units checked with
# `systemd-analyze verify` (where systemd is installed).
# Usage: package_test.sh BUILD_DIR
set -uo pipefail  # Not -e: each step is checked and counted, the run goes on.
build=$(cd "$1" && pwd)
work=$(mktemp -d /tmp/aip-package-XXXXXX)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
check() {  # check NAME STATUS [DETAIL]
  if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "ok: $1"; else fail=$((fail + 1)); echo "FAIL: $1 ${3:-}"; fi
}

(cd "$build" && cpack -B "$work/cpack" -D CPACK_OUTPUT_FILE_PREFIX="$work/out" >"$work/cpack.log" 2>&1)
check "cpack builds the packages" $? "$(tail -5 "$work/cpack.log")"
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
runtime="$work/out/aip_${version}_amd64.deb"
dev="$work/out/libaip-dev_${version}_amd64.deb"
[ -f "$runtime" ] && [ -f "$dev" ]; check "aip_${version}_amd64.deb and libaip-dev_${version}_amd64.deb" $? "$(ls "$work/out")"

has() {  # has DEB PATH: the package holds PATH
  dpkg-deb -c "$1" | awk '{print $6}' | grep -qx "./$2"
  check "$(basename "$1") holds /$2" $?
}
for path in usr/bin/aip usr/bin/example-tasks-server usr/bin/example-conformance-server \
            usr/lib/systemd/system/aip-gateway.service usr/lib/systemd/system/aip-registry.service \
            usr/share/man/man1/aip.1.gz usr/share/man/man1/aip-gateway.1.gz usr/share/man/man1/aip-registry.1.gz \
            etc/aip/gateway.toml; do
  has "$runtime" "$path"
done
for path in usr/include/aip/aip.h usr/include/aip/mcp/server.h usr/lib/libaip_mcp.a usr/lib/libaip_base.a \
            usr/lib/cmake/aip/aipConfig.cmake usr/lib/cmake/aip/aipConfigVersion.cmake usr/lib/pkgconfig/aip.pc; do
  has "$dev" "$path"
done
! dpkg-deb -c "$runtime" | grep -q "usr/include\|\.a$"; check "the runtime package holds no headers or archives" $?
! dpkg-deb -c "$dev" | grep -q "usr/bin/\|/etc/"; check "the dev package holds no programs or configuration" $?

depends=$(dpkg-deb -f "$runtime" Depends)
for lib in libsodium23 libssl3 libsqlite3-0 libpq5 libc6 adduser; do
  [[ "$depends" == *"$lib"* ]]; check "Depends (from the linked libraries) names $lib" $? "$depends"
done
[[ "$(dpkg-deb -f "$dev" Depends)" == *"libsodium-dev"* ]]; check "libaip-dev depends on the -dev packages its archives need" $?
dpkg-deb --ctrl-tarfile "$runtime" | tar -xO ./conffiles | grep -qx /etc/aip/gateway.toml
check "/etc/aip/gateway.toml is a conffile" $?
dpkg-deb --ctrl-tarfile "$runtime" | tar -xO ./postinst | grep -q "adduser --system"
check "postinst creates the system user" $?

root="$work/root"
dpkg-deb -x "$runtime" "$root"
out=$("$root/usr/bin/aip" --version 2>&1); [ "$out" = "aip $version" ]; check "the extracted aip runs" $? "$out"
out=$("$root/usr/bin/aip" gateway check-config "$root/etc/aip/gateway.toml" 2>&1); check "the default configuration is valid" $? "$out"
out=$(AIP_HOME="$work/home" "$root/usr/bin/aip" tools --stdio "$root/usr/bin/example-tasks-server --stdio" 2>&1)
[[ "$out" == *list_tasks* ]]; check "the extracted example server answers the extracted aip" $? "$out"
zcat "$root/usr/share/man/man1/aip.1.gz" | grep -q '^\.TH AIP '; check "aip(1) is a man page" $?
zcat "$root/usr/share/man/man1/aip-gateway.1.gz" | grep -q 'check\\-config'; check "aip-gateway(1) lists check-config" $?

units="$root/usr/lib/systemd/system"
for unit in aip-gateway aip-registry; do
  for line in User=aip NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes StateDirectory=; do
    grep -q "^$line" "$units/$unit.service"; check "$unit.service: $line" $?
  done
done
if command -v systemd-analyze >/dev/null; then
  # The units name /usr/bin/aip: verified as copies pointing at the extracted binary.
  mkdir -p "$work/units"
  for unit in aip-gateway aip-registry; do sed "s|/usr/bin/aip|$root/usr/bin/aip|" "$units/$unit.service" >"$work/units/$unit.service"; done
  out=$(systemd-analyze verify "$work/units/aip-gateway.service" "$work/units/aip-registry.service" 2>&1)
  [ -z "$out" ]; check "systemd-analyze verify: no complaints" $? "$out"
else
  echo "skip: systemd-analyze is not installed"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
