#!/usr/bin/env bash
# Builds target/berth_<version>_amd64.deb from a built checkout (run by `./agent package`, which
# builds the jar first): a Java runtime made by jlink from the JDK given, the Quarkus uber-jar, the
# launcher, the systemd unit, man pages, bash completion and the maintainer scripts beside this
# file. Needs dpkg-deb (Debian's dpkg); no root (dpkg-deb --root-owner-group).
# Usage: build.sh JDK JAR
set -euo pipefail

JDK=${1:?usage: build.sh JDK JAR}
JAR=${2:?usage: build.sh JDK JAR}
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
HERE="$ROOT/deploy/debian"
OUT="$ROOT/target/package"

die() { echo "agent package: $*" >&2; exit 1; }
say() { echo "agent package: $*" >&2; }

command -v dpkg-deb >/dev/null || die "dpkg-deb not found (apt-get install dpkg)"
[ -x "$JDK/bin/jlink" ] || die "$JDK has no jlink (a full JDK >= 21 is needed, not a JRE)"
[ -f "$JAR" ] || die "$JAR is missing (./mvnw package)"

# Debian-legal version from the pom: 0.1.0-SNAPSHOT -> 0.1.0~SNAPSHOT (sorts before 0.1.0).
pom_version=$(sed -n '/<artifactId>berth<\/artifactId>/,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -1)
VERSION=${pom_version//-/\~}
dpkg --validate-version "$VERSION" 2>/dev/null || die "pom version '$pom_version' is not a Debian version even as '$VERSION'"

# The modules the application needs: `jdeps --ignore-missing-deps --print-module-deps
# --multi-release 25 target/berth-runner.jar` (about a minute, so not on every build), plus those
# loaded by name that jdeps cannot see: jdk.crypto.ec (TLS key exchange), jdk.zipfs (zip file
# systems), jdk.net (Vert.x/Netty socket options). jdk.compiler is in jdeps' answer only for a
# build-time class of a library (Vert.x codegen); it is left out. java.desktop stays for
# java.beans (SnakeYAML, Jackson) and the types JNA refers to, all headless: its natives for X11,
# sound, fonts and images are left out (they would need X11 and ALSA, and embed freetype, lcms
# and libjpeg).
MODULES=java.base,java.desktop,java.naming,java.net.http,java.rmi,java.security.jgss,java.sql,jdk.management,jdk.unsupported,jdk.crypto.ec,jdk.zipfs,jdk.net
JLINK_OPTS=(--strip-debug --no-man-pages --no-header-files --compress=zip-6 --generate-cds-archive
  "--exclude-files=**/libawt_xawt.so,**/libjawt.so,**/libsplashscreen.so,**/libjsound.so,**/libfontmanager.so,**/libfreetype.so,**/liblcms.so,**/libjavajpeg.so")

# jlink takes a while on two cores; its image is kept under target/ keyed by what makes it (the
# JDK, and this script, which holds the module list and the options).
key=$(cat "$JDK/release" "$0" | sha256sum | cut -c1-16)
RUNTIME="$OUT/runtime-$key"
if [ ! -x "$RUNTIME/bin/java" ]; then
  say "linking a Java runtime ($MODULES)"
  rm -rf "$OUT"/runtime-* "$RUNTIME.tmp"
  mkdir -p "$OUT"
  "$JDK/bin/jlink" --add-modules "$MODULES" "${JLINK_OPTS[@]}" --output "$RUNTIME.tmp"
  # the tools of java.base and java.rmi that the daemon and the CLI never run
  rm -f "$RUNTIME.tmp/bin/keytool" "$RUNTIME.tmp/bin/rmiregistry"
  # the class-data archive for heaps over 32 GiB (no compressed oops): not Berth's case
  rm -f "$RUNTIME.tmp/lib/server/classes_nocoops.jsa"
  # Debian ships binaries stripped (--strip-debug only strips the Java classes); about a third
  # of libjvm.so is symbols
  if command -v strip >/dev/null; then
    find "$RUNTIME.tmp" -type f \( -name '*.so' -o -path '*/bin/*' -o -name jspawnhelper -o -name jexec \) \
      -exec strip --strip-unneeded {} +
  else
    say "strip not found (binutils): the runtime's binaries keep their symbols"
  fi
  mv "$RUNTIME.tmp" "$RUNTIME"
else
  say "reusing the Java runtime $RUNTIME"
fi

STAGE="$OUT/root"
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/usr/lib/berth/app" "$STAGE/usr/bin" "$STAGE/lib/systemd/system" \
  "$STAGE/etc/default" "$STAGE/etc/berth/manifests" "$STAGE/usr/share/man/man1" \
  "$STAGE/usr/share/bash-completion/completions" "$STAGE/usr/share/doc/berth"

cp -a "$RUNTIME" "$STAGE/usr/lib/berth/runtime"
cp "$JAR" "$STAGE/usr/lib/berth/app/berth-runner.jar"
install -m 0755 "$ROOT/agent" "$STAGE/usr/lib/berth/berth"
ln -s ../lib/berth/berth "$STAGE/usr/bin/berth"
install -m 0644 "$ROOT/deploy/berth.service" "$STAGE/lib/systemd/system/berth.service"
install -m 0644 "$HERE/default" "$STAGE/etc/default/berth"

# Man pages and completion come from the application itself, run on the runtime just linked (a
# runtime missing a module the CLI needs fails here, not on a user's host).
cli() { "$RUNTIME/bin/java" -Dberth.command=berth -cp "$JAR" io.berth.cli.Main "$@"; }
cli man "$STAGE/usr/share/man/man1" --name berth >/dev/null || die "berth man failed on the linked runtime"
gzip -9n "$STAGE"/usr/share/man/man1/*.1
cli completion bash --name berth | sed '1{/^#!/d}' >"$STAGE/usr/share/bash-completion/completions/berth" \
  || die "berth completion failed on the linked runtime"
install -D -m 0644 "$HERE/lintian-overrides" "$STAGE/usr/share/lintian/overrides/berth"

gzip -9n -c "$ROOT/README.md" >"$STAGE/usr/share/doc/berth/README.md.gz"
install -m 0644 "$HERE/copyright" "$STAGE/usr/share/doc/berth/copyright"
changed=$(git -C "$ROOT" log -1 --format=%cD 2>/dev/null || date -R)
printf 'berth (%s) unstable; urgency=medium\n\n  * Built from %s.\n\n -- Berth maintainers <berth@berth.io>  %s\n' \
  "$VERSION" "$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo 'a source tree')" "$changed" \
  | gzip -9n >"$STAGE/usr/share/doc/berth/changelog.gz"

for s in postinst prerm postrm; do install -m 0755 "$HERE/$s" "$STAGE/DEBIAN/$s"; done
echo /etc/default/berth >"$STAGE/DEBIAN/conffiles"
chmod -R u+rwX,go+rX,go-w "$STAGE"
size=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@SIZE@/$size/" "$HERE/control" >"$STAGE/DEBIAN/control"
(cd "$STAGE" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) \
  >"$STAGE/DEBIAN/md5sums"

DEB="$ROOT/target/berth_${VERSION}_amd64.deb"
rm -f "$ROOT"/target/berth_*_amd64.deb
# gzip: xz took minutes on two cores for a few MB less (the jar and the runtime are compressed already)
dpkg-deb --root-owner-group -Zgzip -z6 --build "$STAGE" "$DEB" >/dev/null
say "built $DEB ($(du -h "$DEB" | cut -f1)); install: apt-get install $DEB"
echo "$DEB"
