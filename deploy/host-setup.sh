#!/usr/bin/env bash
# Berth host setup: prepares a host so the Berth agent (and its tests) can run.
#
#   sudo bash deploy/host-setup.sh
#
# Idempotent: safe to run again; when everything is already in place it
# installs nothing, builds nothing and finishes in a few seconds.
#
# Steps (see main at the bottom):
#   install_packages  - Debian/Ubuntu packages (docker.io, busybox-static, ...)
#   start_docker      - make sure Docker Engine answers (systemd or plain dockerd)
#   build_test_image  - build the local test/demo image berth/busybox:1 (no registry)
#   summary           - print versions and the image id
#
# Environment overrides (rarely needed):
#   DOCKER_WAIT_SECONDS  how long to wait for dockerd to answer (default 30)
#   BERTH_BUSYBOX        static busybox binary to put in the image (default /bin/busybox)
set -euo pipefail

# ---------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------

# Packages needed for containers. The VM work adds its packages (libvirt,
# qemu, ...) to VM_PACKAGES below; install_packages installs both lists.
CONTAINER_PACKAGES=(docker.io busybox-static docker-compose curl git)
VM_PACKAGES=()

readonly TEST_IMAGE="berth/busybox:1"
readonly TEST_IMAGE_LABEL="io.berth.test-image-version"
# Bump whenever the image recipe in build_test_image changes; hosts with an
# older version then rebuild the image on their next run.
readonly TEST_IMAGE_VERSION=1

readonly DOCKERD_LOG=/var/log/berth-dockerd.log
readonly DOCKERD_PIDFILE=/var/run/docker.pid
DOCKER_WAIT_SECONDS=${DOCKER_WAIT_SECONDS:-30}
BUSYBOX=${BERTH_BUSYBOX:-/bin/busybox}

BUILD_DIR=""

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

log() { printf 'host-setup: %s\n' "$*"; }
die() { printf 'host-setup: ERROR: %s\n' "$*" >&2; exit 1; }

cleanup() {
    if [ -n "$BUILD_DIR" ] && [ -d "$BUILD_DIR" ]; then
        rm -rf "$BUILD_DIR"
    fi
}
trap cleanup EXIT
# Name the failing line when a command fails under set -e (die() exits itself).
set -o errtrace
trap 'printf "host-setup: ERROR: command failed (exit %s) at line %s\n" "$?" "$LINENO" >&2' ERR

require_root() {
    if [ "$(id -u)" -ne 0 ]; then
        die "must be run as root (try: sudo bash $0)"
    fi
}

docker_ready() {
    timeout 10 docker info >/dev/null 2>&1
}

is_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

# ---------------------------------------------------------------------------
# 1. Packages
# ---------------------------------------------------------------------------

install_packages() {
    local wanted=("${CONTAINER_PACKAGES[@]}" "${VM_PACKAGES[@]}")

    if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
        log "not a Debian/Ubuntu host: skipping package installation"
        log "please install the equivalent of: ${wanted[*]}"
        command -v docker >/dev/null 2>&1 || die "docker CLI not found"
        return 0
    fi

    local missing=() pkg
    for pkg in "${wanted[@]}"; do
        is_installed "$pkg" || missing+=("$pkg")
    done

    if [ "${#missing[@]}" -eq 0 ]; then
        log "packages already installed: ${wanted[*]}"
        return 0
    fi

    log "installing packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a
    apt-get update -q
    apt-get install -y -q \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "${missing[@]}"
    log "packages installed"
}

# ---------------------------------------------------------------------------
# 2. Docker Engine
# ---------------------------------------------------------------------------

wait_for_docker() {
    local pid=${1:-} waited=0
    while ! docker_ready; do
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            log "dockerd (pid $pid) exited; last lines of $DOCKERD_LOG:"
            tail -n 30 "$DOCKERD_LOG" >&2 || true
            die "dockerd failed to start"
        fi
        if [ "$waited" -ge "$DOCKER_WAIT_SECONDS" ]; then
            if [ -f "$DOCKERD_LOG" ]; then
                log "last lines of $DOCKERD_LOG:"
                tail -n 30 "$DOCKERD_LOG" >&2 || true
            fi
            die "Docker Engine did not answer within ${DOCKER_WAIT_SECONDS}s"
        fi
        sleep 1
        waited=$((waited + 1))
    done
}

start_docker() {
    if docker_ready; then
        log "Docker Engine already running"
        return 0
    fi

    if [ -d /run/systemd/system ]; then
        log "starting Docker Engine with systemd (systemctl enable --now docker)"
        systemctl enable --now docker
        wait_for_docker
        log "Docker Engine is up"
        return 0
    fi

    # No systemd (containers, minimal VMs): run dockerd ourselves.
    if [ -f "$DOCKERD_PIDFILE" ]; then
        local oldpid
        oldpid=$(cat "$DOCKERD_PIDFILE" 2>/dev/null || true)
        if [ -n "$oldpid" ] && kill -0 "$oldpid" 2>/dev/null \
            && [ "$(cat "/proc/$oldpid/comm" 2>/dev/null || true)" = "dockerd" ]; then
            # A dockerd is running but not answering yet (e.g. still starting).
            log "dockerd already running (pid $oldpid), waiting for it to answer"
            wait_for_docker "$oldpid"
            log "Docker Engine is up"
            return 0
        fi
        log "removing stale $DOCKERD_PIDFILE (pid '${oldpid}' is not a running dockerd)"
        rm -f "$DOCKERD_PIDFILE"
    fi

    command -v dockerd >/dev/null 2>&1 || die "dockerd not found (is docker.io installed?)"
    log "starting dockerd without systemd (log: $DOCKERD_LOG)"
    # setsid + nohup: dockerd gets its own session, so it outlives this script
    # and the shell (e.g. CI job) that ran it.
    setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
    local pid=$!
    wait_for_docker "$pid"
    log "Docker Engine is up (dockerd pid $pid)"
}

# ---------------------------------------------------------------------------
# 3. Test/demo image berth/busybox:1
# ---------------------------------------------------------------------------

image_version() {
    docker image inspect \
        --format "{{ with .Config.Labels }}{{ index . \"$TEST_IMAGE_LABEL\" }}{{ end }}" \
        "$TEST_IMAGE" 2>/dev/null || true
}

# Writes a minimal busybox root filesystem into directory $1.
make_rootfs() {
    local root=$1 applet

    mkdir -p "$root"/{bin,etc,tmp,proc,sys,dev,root,home/berth,var/tmp,var/www,usr}
    chmod 1777 "$root/tmp" "$root/var/tmp"
    chmod 0700 "$root/root"
    chown 1000:1000 "$root/home/berth"

    cp "$BUSYBOX" "$root/bin/busybox"
    chmod 0755 "$root/bin/busybox"
    # Every applet is a symlink in /bin; /sbin, /usr/bin and /usr/sbin point
    # to /bin, so the paths from `busybox --list-full` resolve as well.
    while IFS= read -r applet; do
        case "$applet" in
            "" | busybox) continue ;;
        esac
        ln -s busybox "$root/bin/$applet"
    done < <("$BUSYBOX" --list)
    ln -s bin "$root/sbin"
    ln -s ../bin "$root/usr/bin"
    ln -s ../bin "$root/usr/sbin"

    cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
berth:x:1000:1000:berth:/home/berth:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
    cat >"$root/etc/group" <<'EOF'
root:x:0:
berth:x:1000:
nogroup:x:65534:
EOF
}

build_test_image() {
    local have
    have=$(image_version)
    if [ "$have" = "$TEST_IMAGE_VERSION" ]; then
        log "image $TEST_IMAGE (${TEST_IMAGE_LABEL}=$TEST_IMAGE_VERSION) already present"
    else
        if [ -n "$have" ]; then
            log "image $TEST_IMAGE has version '$have', rebuilding as version $TEST_IMAGE_VERSION"
        else
            log "building image $TEST_IMAGE (version $TEST_IMAGE_VERSION)"
        fi
        [ -x "$BUSYBOX" ] || die "$BUSYBOX not found (is busybox-static installed?)"
        # A dynamically linked busybox would not run inside the image.
        if command -v ldd >/dev/null 2>&1 && ldd "$BUSYBOX" >/dev/null 2>&1; then
            die "$BUSYBOX is dynamically linked; install busybox-static"
        fi

        local old_id
        old_id=$(docker image inspect --format '{{.Id}}' "$TEST_IMAGE" 2>/dev/null || true)

        BUILD_DIR=$(mktemp -d -t berth-image.XXXXXX)
        make_rootfs "$BUILD_DIR/rootfs"
        tar -C "$BUILD_DIR/rootfs" --numeric-owner -c . \
            | docker import \
                --change 'CMD ["/bin/sh"]' \
                --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
                --change "LABEL ${TEST_IMAGE_LABEL}=${TEST_IMAGE_VERSION}" \
                --message "berth test image v${TEST_IMAGE_VERSION} (busybox-static)" \
                - "$TEST_IMAGE" >/dev/null
        cleanup
        BUILD_DIR=""

        # Drop the previous version if nothing uses it any more (best effort).
        if [ -n "$old_id" ]; then
            docker image rm "$old_id" >/dev/null 2>&1 || true
        fi
        log "built image $TEST_IMAGE"
    fi

    local out
    out=$(docker run --rm --network none "$TEST_IMAGE" sh -c 'echo ok' 2>&1) || true
    [ "$out" = "ok" ] || die "test run of $TEST_IMAGE failed: $out"
    # busybox prints usage and exits non-zero for --help; check the output.
    out=$(docker run --rm --network none "$TEST_IMAGE" httpd --help 2>&1) || true
    case "$out" in
        *"Usage: httpd"*) ;;
        *) die "busybox httpd not usable in $TEST_IMAGE: $out" ;;
    esac
    log "image $TEST_IMAGE runs (sh, httpd ok)"
}

# ---------------------------------------------------------------------------
# 4. Summary
# ---------------------------------------------------------------------------

summary() {
    log "summary:"
    log "  docker server $(docker version --format '{{.Server.Version}}, API {{.Server.APIVersion}} (min API {{.Server.MinAPIVersion}})')"
    log "  cgroup v$(docker info --format '{{.CgroupVersion}} (driver {{.CgroupDriver}})')"
    log "  image $TEST_IMAGE $(docker image inspect --format '{{.Id}}' "$TEST_IMAGE") (${TEST_IMAGE_LABEL}=$(image_version))"
}

# ---------------------------------------------------------------------------

main() {
    require_root
    install_packages
    start_docker
    # VM support will add: start_libvirt
    build_test_image
    # VM support will add: build_guest_images
    summary
    log "done"
}

main "$@"
