#!/usr/bin/env bash
# Berth host setup: prepares a host so the Berth agent (and its tests) can run.
#
#   bash deploy/host-setup.sh      # as root (sudo bash deploy/host-setup.sh elsewhere)
#
# Idempotent: safe to run again; when everything is already in place it
# installs nothing, builds nothing and finishes in a few seconds.
#
# Steps (see main at the bottom):
#   install_packages    - Debian/Ubuntu packages (docker.io, busybox-static,
#                         libvirt, qemu, chromium for the dashboard test,
#                         openssh-server for the git-over-ssh test, faketime
#                         for the clock-jump test, ...)
#   start_docker        - make sure Docker Engine answers (systemd or plain dockerd)
#   start_libvirt       - make sure libvirtd answers on qemu:///system (systemd
#                         or plain virtlogd + libvirtd)
#   start_podman        - Podman's Docker-compatible API on /run/podman/podman.sock
#                         (podman system service), for the Podman runtime tests
#   build_test_image    - build the local test/demo image berth/busybox:1 (no registry)
#   build_guest_images  - guest kernel, busybox initramfs and base disks for VMs
#                         in /var/lib/berth/images
#   summary             - print versions, the image id and the guest images
#
# Environment overrides (rarely needed):
#   DOCKER_WAIT_SECONDS   how long to wait for dockerd to answer (default 30)
#   LIBVIRT_WAIT_SECONDS  how long to wait for libvirtd to answer (default 30)
#   BERTH_BUSYBOX         static busybox binary to put in the image and the
#                         guest initramfs (default /bin/busybox)
#   BERTH_GUEST_KERNEL_META  metapackage naming the guest kernel package
#                         (default linux-image-cloud-amd64, Debian)
#   BERTH_BENCH_IMAGES=1  also build base-20g.qcow2 (20 GiB virtual, 200 MiB of
#                         data) for the VM clone benchmark; off by default so
#                         CI stays fast (it takes a few seconds and 200 MiB)
set -euo pipefail

# ---------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------

# Packages needed for containers. The VM work adds its packages (libvirt,
# qemu, ...) to VM_PACKAGES below; install_packages installs both lists.
CONTAINER_PACKAGES=(docker.io busybox-static docker-compose curl git openssl)

# Packages the test suite needs beyond the runtimes: the dashboard test (DashboardIT) drives
# Debian's chromium headless through chromedriver; Selenium is told both paths and downloads
# no browser. GitFetcherSshTest runs its own /usr/sbin/sshd (openssh-server) on a free port of
# 127.0.0.1 with a generated config and keys; it does not use or change the host's ssh service
# (which Debian enables where systemd runs; most hosts have it already). The fault campaign's
# clock-jump test (faults/ClockJumpIT) runs the daemon under libfaketime (faketime: LD_PRELOAD
# of libfaketimeMT.so.1 with a timestamp file it changes mid-test). Installed with their
# Recommends (fonts among them), like CONTAINER_PACKAGES.
TEST_PACKAGES=(chromium chromium-driver openssh-server faketime podman)

# Checkers the suite runs on what Berth ships (installed without Recommends): ManifestSchemaTest
# validates the manifests against deploy/schema/berth.schema.json with python3-jsonschema (Debian's
# /usr/bin/python3); the metrics tests run promtool, which Debian ships only inside the prometheus
# package. Only promtool is wanted: where this script installs prometheus on a systemd host, it
# stops and disables the server the package enables, so no Prometheus listens on :9090.
# ./agent package and DebPackageIT use dpkg-deb (dpkg), strip (binutils) and systemd-analyze
# (systemd, which only provides the tool here where systemd is not PID 1). ImagePullIT pulls from
# Debian's docker-registry (the CNCF distribution registry), which the test runs itself on a free
# port of 127.0.0.1 with its own storage; where systemd runs, the service the package enables on
# :5000 is stopped and disabled like Prometheus's.
TOOL_PACKAGES=(python3-jsonschema prometheus binutils systemd docker-registry)

# Packages needed for VMs (KVM/QEMU through libvirt), installed without their
# Recommends (those would pull in Xen/VirtualBox drivers, LVM, GTK, GStreamer
# and more; ~200 packages instead of ~50).
#
# libvirt-daemon-system is Debian's normal libvirtd setup and we use it as is:
# it creates the libvirt-qemu user (QEMU runs as that user, not as root) and
# the libvirt group, and ships /etc/libvirt/*.conf with Debian's defaults
# (dynamic_ownership: libvirtd chowns a VM's disks, kernel and initrd to
# libvirt-qemu while it runs). That is the sane choice on a real host and
# also works without systemd; we do not run QEMU as root. The init glue is
# picked to match the host: -systemd (units, socket activation) where
# systemd runs, -sysv otherwise (it would otherwise pull in and upgrade
# systemd on hosts or containers that do not run it).
#
# libvirt0 carries libvirt.so.0, which libvirt-java loads through JNA (JNA
# finds the versioned name by itself; libvirt-dev, which only adds the
# libvirt.so symlink and headers, is not needed).
# dnsmasq-base (a Recommends) makes libvirt's standard NAT network "default"
# (virbr0) startable; Debian defines it but, installed like this, does not
# autostart it, and this script does not start it either. genisoimage builds cloud-init NoCloud seed ISOs; qemu-utils
# has qemu-img and qemu-io; cpio builds the guest initramfs.
VM_PACKAGES=(libvirt0 libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu
    libvirt-daemon-system qemu-system-x86 qemu-utils genisoimage dnsmasq-base cpio)
if [ -d /run/systemd/system ]; then
    VM_PACKAGES+=(libvirt-daemon-system-systemd)
else
    VM_PACKAGES+=(libvirt-daemon-system-sysv)
fi

readonly TEST_IMAGE="berth/busybox:1"
readonly TEST_IMAGE_LABEL="io.berth.test-image-version"
# Bump whenever the image recipe in build_test_image changes; hosts with an
# older version then rebuild the image on their next run.
readonly TEST_IMAGE_VERSION=1

readonly DOCKERD_LOG=/var/log/berth-dockerd.log
readonly DOCKERD_PIDFILE=/var/run/docker.pid
DOCKER_WAIT_SECONDS=${DOCKER_WAIT_SECONDS:-30}
BUSYBOX=${BERTH_BUSYBOX:-/bin/busybox}

readonly PODMAN_SOCKET=/run/podman/podman.sock
readonly PODMAN_LOG=/var/log/berth-podman.log
readonly PODMAN_ULIMITS_CONF=/etc/containers/containers.conf.d/50-berth-ulimits.conf

readonly LIBVIRT_URI=qemu:///system
readonly LIBVIRTD_LOG=/var/log/berth-libvirtd.log
readonly VIRTLOGD_LOG=/var/log/berth-virtlogd.log
readonly LIBVIRTD_PIDFILE=/run/libvirtd.pid
readonly VIRTLOGD_PIDFILE=/run/virtlogd.pid
LIBVIRT_WAIT_SECONDS=${LIBVIRT_WAIT_SECONDS:-30}

# Guest images for VMs. The kernel and the initramfs are rebuilt when
# GUEST_RECIPE_VERSION or deploy/guest/*.sh change (both are recorded in the
# marker file); bump the number whenever build_guest_boot changes. Base disks
# are only ever created when missing, never rebuilt in place: VM overlays use
# them as backing files.
readonly IMAGES_DIR=/var/lib/berth/images
readonly GUEST_VERSION_FILE=$IMAGES_DIR/.berth-guest-version
readonly GUEST_RECIPE_VERSION=1
# Debian metapackage whose dependency names the current cloud kernel package.
readonly GUEST_KERNEL_META=${BERTH_GUEST_KERNEL_META:-linux-image-cloud-amd64}
# Modules the cloud kernel builds as modules but the guest needs (virtio disk
# and network, ACPI power button for `virsh shutdown`); their dependencies
# are added automatically.
readonly GUEST_MODULES=(virtio_pci virtio_blk virtio_net button evdev)
GUEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/guest
BENCH_IMAGES=${BERTH_BENCH_IMAGES:-0}

BUILD_DIR=""
APT_UPDATED=0
MODULE_ORDER=()
GUEST_KERNEL=""

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

# Static busybox into the root file system $1 (which has bin/ and usr/): every applet is a symlink
# in /bin; /sbin, /usr/bin and /usr/sbin point to /bin, so the paths from `busybox --list-full`
# resolve as well. Used for the container test image and the guest initramfs alike.
install_busybox() {
    local root=$1 applet
    cp "$BUSYBOX" "$root/bin/busybox"
    chmod 0755 "$root/bin/busybox"
    while IFS= read -r applet; do
        case "$applet" in
            "" | busybox) continue ;;
        esac
        ln -s busybox "$root/bin/$applet"
    done < <("$BUSYBOX" --list)
    ln -s bin "$root/sbin"
    ln -s ../bin "$root/usr/bin"
    ln -s ../bin "$root/usr/sbin"
}

require_root() {
    if [ "$(id -u)" -ne 0 ]; then
        die "must be run as root (as root: bash $0; sudo bash $0 where sudo exists)"
    fi
}

docker_ready() {
    timeout 10 docker info >/dev/null 2>&1
}

is_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

# apt-get update, at most once per run.
apt_update_once() {
    if [ "$APT_UPDATED" -eq 0 ]; then
        apt-get update -q
        APT_UPDATED=1
    fi
}

# ---------------------------------------------------------------------------
# 1. Packages
# ---------------------------------------------------------------------------

install_packages() {
    local wanted=("${CONTAINER_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${VM_PACKAGES[@]}" "${TOOL_PACKAGES[@]}")

    if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
        log "not a Debian/Ubuntu host: skipping package installation"
        log "please install the equivalent of: ${wanted[*]}"
        command -v docker >/dev/null 2>&1 || die "docker CLI not found"
        command -v virsh >/dev/null 2>&1 || die "virsh not found (libvirt clients)"
        return 0
    fi

    local missing_container=() missing_vm=() missing_tools=() pkg
    for pkg in "${CONTAINER_PACKAGES[@]}" "${TEST_PACKAGES[@]}"; do
        is_installed "$pkg" || missing_container+=("$pkg")
    done
    for pkg in "${VM_PACKAGES[@]}"; do
        is_installed "$pkg" || missing_vm+=("$pkg")
    done
    for pkg in "${TOOL_PACKAGES[@]}"; do
        is_installed "$pkg" || missing_tools+=("$pkg")
    done

    if [ "${#missing_container[@]}" -eq 0 ] && [ "${#missing_vm[@]}" -eq 0 ] && [ "${#missing_tools[@]}" -eq 0 ]; then
        log "packages already installed: ${wanted[*]}"
        return 0
    fi

    export DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a
    apt_update_once
    local apt_opts=(-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    if [ "${#missing_container[@]}" -gt 0 ]; then
        log "installing packages: ${missing_container[*]}"
        apt-get install "${apt_opts[@]}" "${missing_container[@]}"
    fi
    if [ "${#missing_vm[@]}" -gt 0 ]; then
        log "installing VM packages (without Recommends): ${missing_vm[*]}"
        apt-get install "${apt_opts[@]}" --no-install-recommends "${missing_vm[@]}"
    fi
    if [ "${#missing_tools[@]}" -gt 0 ]; then
        log "installing checkers (without Recommends): ${missing_tools[*]}"
        apt-get install "${apt_opts[@]}" --no-install-recommends "${missing_tools[@]}"
        if [[ " ${missing_tools[*]} " == *" prometheus "* ]] && [ -d /run/systemd/system ]; then
            systemctl disable --now prometheus.service >/dev/null 2>&1 || true
        fi
        if [[ " ${missing_tools[*]} " == *" docker-registry "* ]] && [ -d /run/systemd/system ]; then
            systemctl disable --now docker-registry.service >/dev/null 2>&1 || true
        fi
    fi
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
    # and the shell (e.g. CI job) that ran it; started in / so that it never holds (or loses)
    # the directory this script ran from (a checkout removed later breaks its children).
    (cd / && exec setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null) &
    local pid=$!
    wait_for_docker "$pid"
    log "Docker Engine is up (dockerd pid $pid)"
}

# ---------------------------------------------------------------------------
# 3. libvirt (qemu:///system)
# ---------------------------------------------------------------------------

libvirt_ready() {
    timeout 10 virsh -c "$LIBVIRT_URI" version >/dev/null 2>&1
}

# Without udev (containers, minimal VMs) /dev/kvm stays root:root 0600 and
# QEMU, running as libvirt-qemu (a member of group kvm), could not open it.
# Give it the owner and mode udev would give it. Hosts with udev already
# have group kvm and group rw, and are left alone.
prepare_kvm_device() {
    [ -c /dev/kvm ] || { log "no /dev/kvm: only type='qemu' (TCG) VMs will run"; return 0; }
    getent group kvm >/dev/null 2>&1 || return 0
    local group mode
    group=$(stat -c %G /dev/kvm)
    mode=$(stat -c %a /dev/kvm)
    if [ "$group" != "kvm" ] || [ $(((8#$mode >> 3) & 6)) -ne 6 ]; then
        log "setting /dev/kvm to root:kvm 0660 (was $(stat -c %U:%G /dev/kvm) $mode)"
        chgrp kvm /dev/kvm
        chmod 0660 /dev/kvm
    fi
}

# Name of a running process (pid $1) or empty.
proc_name() {
    cat "/proc/$1/comm" 2>/dev/null || true
}

# pid of a running daemon $1 recorded in pid file $2, or empty.
daemon_pid() {
    local name=$1 pidfile=$2 pid
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [ -n "$pid" ] && [ "$(proc_name "$pid")" = "$name" ]; then
        printf '%s\n' "$pid"
    fi
}

# Starts libvirt daemon $1 (virtlogd or libvirtd) without systemd, unless it
# already runs. `-d` daemonizes only once the daemon is set up, so a non-zero
# exit means it failed. Logs go to $3 (warnings and errors).
start_libvirt_daemon() {
    local name=$1 pidfile=$2 logfile=$3 pid
    pid=$(daemon_pid "$name" "$pidfile")
    if [ -n "$pid" ]; then
        log "$name already running (pid $pid)"
        return 0
    fi
    if [ -e "$pidfile" ]; then
        # Left by a crash or an unclean shutdown (the daemons lock their pid
        # file, so this is cosmetic, but keeps the checks above honest).
        log "removing stale $pidfile (pid '$(cat "$pidfile" 2>/dev/null || true)' is not a running $name)"
        rm -f "$pidfile"
    fi
    command -v "$name" >/dev/null 2>&1 || die "$name not found (is libvirt-daemon installed?)"
    log "starting $name without systemd (log: $logfile)"
    if ! LIBVIRT_LOG_OUTPUTS="3:file:$logfile" setsid -w "$name" -d -p "$pidfile" \
        </dev/null >>"$logfile" 2>&1; then
        log "last lines of $logfile:"
        tail -n 30 "$logfile" >&2 || true
        die "$name failed to start"
    fi
}

wait_for_libvirt() {
    local waited=0
    while ! libvirt_ready; do
        if [ "$waited" -ge "$LIBVIRT_WAIT_SECONDS" ]; then
            if [ -d /run/systemd/system ]; then
                log "systemctl status libvirtd:"
                systemctl --no-pager status libvirtd >&2 || true
            fi
            if [ -f "$LIBVIRTD_LOG" ]; then
                log "last lines of $LIBVIRTD_LOG:"
                tail -n 30 "$LIBVIRTD_LOG" >&2 || true
            fi
            timeout 10 virsh -c "$LIBVIRT_URI" version >&2 || true
            die "libvirtd did not answer on $LIBVIRT_URI within ${LIBVIRT_WAIT_SECONDS}s"
        fi
        if [ ! -d /run/systemd/system ] && [ -z "$(daemon_pid libvirtd "$LIBVIRTD_PIDFILE")" ]; then
            log "libvirtd is not running; last lines of $LIBVIRTD_LOG:"
            tail -n 30 "$LIBVIRTD_LOG" >&2 || true
            die "libvirtd exited"
        fi
        sleep 1
        waited=$((waited + 1))
    done
}

start_libvirt() {
    prepare_kvm_device

    if [ -d /run/systemd/system ]; then
        if libvirt_ready; then
            log "libvirtd already answers on $LIBVIRT_URI"
            return 0
        fi
        # Debian 12 (libvirt 9.0) runs the monolithic libvirtd; virtlogd and
        # libvirtd are socket activated (libvirtd.service also enables its
        # sockets and starts virtlogd.socket through Requires=).
        log "starting libvirtd with systemd (systemctl enable --now virtlogd.socket libvirtd.service)"
        systemctl enable --now virtlogd.socket
        systemctl enable --now libvirtd.service
        wait_for_libvirt
        log "libvirtd is up"
        return 0
    fi

    # No systemd: run the daemons ourselves. virtlogd first: libvirtd hands
    # it QEMU's output, and VMs fail to start without it.
    start_libvirt_daemon virtlogd "$VIRTLOGD_PIDFILE" "$VIRTLOGD_LOG"
    if libvirt_ready; then
        log "libvirtd already answers on $LIBVIRT_URI"
        return 0
    fi
    start_libvirt_daemon libvirtd "$LIBVIRTD_PIDFILE" "$LIBVIRTD_LOG"
    wait_for_libvirt
    log "libvirtd is up (pid $(cat "$LIBVIRTD_PIDFILE"))"
}

# ---------------------------------------------------------------------------
# 3b. Podman's Docker-compatible API (the Podman runtime tests: PodmanRuntimeIT)
# ---------------------------------------------------------------------------

podman_ready() {
    timeout 10 curl -sf --unix-socket "$PODMAN_SOCKET" http://d/_ping >/dev/null 2>&1
}

podman_service_pid() {
    pgrep -f "^podman system service --time=0 unix://$PODMAN_SOCKET" | head -n 1 || true
}

# Without CAP_SYS_RESOURCE (some containers and sandboxes) runc cannot raise a container's
# RLIMIT_NOFILE/NPROC to the 1048576 rootful Podman asks for ("error setting rlimit type 7:
# operation not permitted"): default to the limits the service itself has, which it may pass on.
podman_ulimits() {
    local pid=$1 nofile nproc want
    if grep -q '^CapEff:' /proc/self/status \
        && [ $(((16#$(awk '/^CapEff:/ {print $2}' /proc/self/status) >> 24) & 1)) -eq 1 ]; then
        return 1 # CAP_SYS_RESOURCE: Podman's defaults work
    fi
    nofile=$(awk '/^Max open files/ {print $5}' "/proc/$pid/limits")
    nproc=$(awk '/^Max processes/ {print $4}' "/proc/$pid/limits")
    want=$(printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n' "$nofile" "$nofile" "$nproc" "$nproc")
    if [ -f "$PODMAN_ULIMITS_CONF" ] && [ "$(cat "$PODMAN_ULIMITS_CONF")" = "$want" ]; then
        return 1 # already in place
    fi
    log "no CAP_SYS_RESOURCE: Podman containers get the service's ulimits ($PODMAN_ULIMITS_CONF)"
    install -d -m 0755 "$(dirname "$PODMAN_ULIMITS_CONF")"
    printf '%s\n' "$want" >"$PODMAN_ULIMITS_CONF"
}

launch_podman_service() {
    install -d -m 0755 "$(dirname "$PODMAN_SOCKET")"
    # In /, like dockerd: conmon inherits the service's working directory and fails every start
    # ("Failed to get working directory") once the directory this ran from is removed.
    (cd / && exec setsid nohup podman system service --time=0 "unix://$PODMAN_SOCKET" >>"$PODMAN_LOG" 2>&1 </dev/null) &
    local waited=0
    while ! podman_ready; do
        [ "$waited" -ge 30 ] && { tail -n 20 "$PODMAN_LOG" >&2 || true; die "Podman's API did not answer on $PODMAN_SOCKET"; }
        sleep 1
        waited=$((waited + 1))
    done
}

start_podman() {
    command -v podman >/dev/null 2>&1 || { log "podman not installed: skipping the Podman API"; return 0; }
    if [ -d /run/systemd/system ]; then
        podman_ready || systemctl enable --now podman.socket
    elif ! podman_ready; then
        log "starting Podman's Docker-compatible API without systemd (log: $PODMAN_LOG)"
        launch_podman_service
    fi
    local pid
    pid=$(podman_service_pid)
    if [ -n "$pid" ] && podman_ulimits "$pid"; then
        kill "$pid" && sleep 1 # the service reads containers.conf when it starts
        launch_podman_service
    fi
    # Nothing is pulled (no registry): the test image comes from Docker, under the same name.
    if ! podman image exists "$TEST_IMAGE" \
        || [ "$(podman image inspect --format '{{.Id}}' "$TEST_IMAGE")" != "$(docker image inspect --format '{{.Id}}' "$TEST_IMAGE" | sed 's/^sha256://')" ]; then
        log "loading $TEST_IMAGE into Podman from Docker"
        docker save "$TEST_IMAGE" | podman load -q >/dev/null
        podman tag "localhost/$TEST_IMAGE" "$TEST_IMAGE" 2>/dev/null || true
    fi
    log "Podman $(podman version --format '{{.Server.Version}}' 2>/dev/null || podman --version) answers on $PODMAN_SOCKET"
}

# ---------------------------------------------------------------------------
# 4. Test/demo image berth/busybox:1
# ---------------------------------------------------------------------------

image_version() {
    docker image inspect \
        --format "{{ with .Config.Labels }}{{ index . \"$TEST_IMAGE_LABEL\" }}{{ end }}" \
        "$TEST_IMAGE" 2>/dev/null || true
}

# Writes a minimal busybox root filesystem into directory $1.
make_rootfs() {
    local root=$1

    mkdir -p "$root"/{bin,etc,tmp,proc,sys,dev,root,home/berth,var/tmp,var/www,usr}
    chmod 1777 "$root/tmp" "$root/var/tmp"
    chmod 0700 "$root/root"
    chown 1000:1000 "$root/home/berth"

    install_busybox "$root"

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
# 5. Guest images for VMs (/var/lib/berth/images)
# ---------------------------------------------------------------------------
#
#   vmlinuz             Debian's cloud kernel (direct kernel boot)
#   initrd-busybox.img  busybox initramfs; /init is deploy/guest/init.sh
#   base-64m.qcow2      empty 64 MiB disk
#   base-100m.qcow2     100 MiB disk with 50 MiB of data
#   base-20g.qcow2      20 GiB disk with 200 MiB of data (BERTH_BENCH_IMAGES=1)

# First line of the marker file: what the kernel and initramfs were built from.
guest_recipe_id() {
    local sums
    sums=$(cat "$GUEST_DIR/init.sh" "$GUEST_DIR/power-button.sh" | sha256sum)
    printf 'recipe=%s guest-files=%s\n' "$GUEST_RECIPE_VERSION" "${sums%% *}"
}

# Name of the current cloud kernel package, e.g. linux-image-6.1.0-56-cloud-amd64.
guest_kernel_package() {
    { apt-cache depends "$GUEST_KERNEL_META" 2>/dev/null || true; } \
        | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ && !found { print $2; found = 1 }'
}

# Path of kernel module $2 (name as in modinfo depends=) under module dir $1.
module_file() {
    find "$1" \( -name "$2.ko" -o -name "${2//_/-}.ko" \) -print -quit
}

# Appends module $2 and, first, its dependencies to MODULE_ORDER (module
# files under $1). Modules built into the kernel are skipped.
resolve_module() {
    local moddir=$1 name=$2 file dep m
    for m in "${MODULE_ORDER[@]}"; do
        [ "$m" = "$name" ] && return 0
    done
    file=$(module_file "$moddir/kernel" "$name")
    if [ -z "$file" ]; then
        if grep -Eq "/(${name}|${name//_/-})\.ko\$" "$moddir/modules.builtin"; then
            return 0
        fi
        die "kernel module $name not found in the guest kernel package"
    fi
    for dep in $(tr '\0' '\n' <"$file" | sed -n 's/^depends=//p' | tr ',' ' '); do
        resolve_module "$moddir" "$dep"
    done
    MODULE_ORDER+=("$name")
}

# Builds vmlinuz and initrd-busybox.img into $IMAGES_DIR (atomically).
build_guest_boot() {
    command -v apt-get >/dev/null 2>&1 \
        || die "building the guest kernel needs apt-get (Debian/Ubuntu); copy vmlinuz and initrd-busybox.img from a Debian host instead"
    local pkg
    pkg=$(guest_kernel_package)
    if [ -z "$pkg" ]; then
        apt_update_once
        pkg=$(guest_kernel_package)
    fi
    [ -n "$pkg" ] || die "cannot tell the current kernel package from 'apt-cache depends $GUEST_KERNEL_META'"

    BUILD_DIR=$(mktemp -d -t berth-guest.XXXXXX)
    # apt-get download runs as _apt and wants to write into the directory.
    if id _apt >/dev/null 2>&1; then
        chown _apt "$BUILD_DIR"
    fi
    log "downloading $pkg (not installed on the host)"
    if ! (cd "$BUILD_DIR" && apt-get download -q "$pkg" >/dev/null); then
        # The package lists may be older than the archive.
        apt_update_once
        (cd "$BUILD_DIR" && apt-get download -q "$pkg" >/dev/null) || die "apt-get download $pkg failed"
    fi
    dpkg-deb -x "$BUILD_DIR"/"$pkg"_*.deb "$BUILD_DIR/kernel"

    local vmlinuz kver config moddir
    vmlinuz=$(find "$BUILD_DIR/kernel/boot" -name 'vmlinuz-*' -print -quit)
    [ -n "$vmlinuz" ] || die "no boot/vmlinuz-* in $pkg"
    kver=${vmlinuz##*/vmlinuz-}
    config=$BUILD_DIR/kernel/boot/config-$kver
    moddir=$BUILD_DIR/kernel/lib/modules/$kver
    grep -q '^CONFIG_SERIAL_8250_CONSOLE=y' "$config" \
        || die "$pkg has no built-in serial console (CONFIG_SERIAL_8250_CONSOLE)"
    grep -Eq '^CONFIG_VIRTIO_BLK=(y|m)' "$config" || die "$pkg has no virtio_blk"

    MODULE_ORDER=()
    local m
    for m in "${GUEST_MODULES[@]}"; do
        resolve_module "$moddir" "$m"
    done

    [ -x "$BUSYBOX" ] || die "$BUSYBOX not found (is busybox-static installed?)"
    if command -v ldd >/dev/null 2>&1 && ldd "$BUSYBOX" >/dev/null 2>&1; then
        die "$BUSYBOX is dynamically linked; install busybox-static"
    fi

    local root=$BUILD_DIR/initramfs
    mkdir -p "$root"/{bin,dev,etc/acpi/PWRF,lib/modules,proc,sys,run,tmp,root,usr}
    install_busybox "$root"
    install -m 0755 "$GUEST_DIR/init.sh" "$root/init"
    install -m 0755 "$GUEST_DIR/power-button.sh" "$root/etc/acpi/PWRF/00000080"
    # The kernel's built-in initramfs has /dev/console too; ours is only a
    # fallback, so hosts that may not mknod (no CAP_MKNOD) still build.
    mknod -m 0600 "$root/dev/console" c 5 1 2>/dev/null || true
    mknod -m 0666 "$root/dev/null" c 1 3 2>/dev/null || true
    for m in "${MODULE_ORDER[@]}"; do
        cp "$(module_file "$moddir/kernel" "$m")" "$root/lib/modules/$m.ko"
        printf '%s\n' "$m" >>"$root/lib/modules/load-order"
    done

    (cd "$root" && find . -print0 | LC_ALL=C sort -z \
        | cpio --null --create --format=newc --owner=0:0 --quiet) \
        | gzip -9n >"$IMAGES_DIR/.tmp-initrd-busybox.img"
    install -m 0644 "$vmlinuz" "$IMAGES_DIR/.tmp-vmlinuz"
    chmod 0644 "$IMAGES_DIR/.tmp-initrd-busybox.img"
    # rename: VMs that are starting right now see the old or the new file,
    # never half of one.
    mv -f "$IMAGES_DIR/.tmp-vmlinuz" "$IMAGES_DIR/vmlinuz"
    mv -f "$IMAGES_DIR/.tmp-initrd-busybox.img" "$IMAGES_DIR/initrd-busybox.img"

    cleanup
    BUILD_DIR=""
    GUEST_KERNEL="$pkg ($kver), modules: ${MODULE_ORDER[*]}"
    log "built vmlinuz and initrd-busybox.img from $GUEST_KERNEL"
}

# Creates qcow2 base disk $1 of virtual size $2 with $3 bytes (qemu-io
# notation, e.g. 50M; empty: none) of data (0x5a) at its start, if missing.
# Base disks are read-only (0444): libvirt chowns the backing files of a
# running VM to libvirt-qemu and does not give them back, so without that
# every QEMU could write to the base of all overlays.
make_base_disk() {
    local name=$1 size=$2 data=${3:-} tmp
    if [ -f "$IMAGES_DIR/$name" ]; then
        chmod a-w "$IMAGES_DIR/$name"
        log "base disk $name already present"
        return 0
    fi
    tmp=$IMAGES_DIR/.tmp-$name
    qemu-img create -q -f qcow2 "$tmp" "$size"
    if [ -n "$data" ]; then
        qemu-io -f qcow2 -c "write -P 0x5a 0 $data" "$tmp" >/dev/null
    fi
    chmod 0444 "$tmp"
    mv -f "$tmp" "$IMAGES_DIR/$name"
    log "created base disk $name (virtual $size${data:+, $data of data})"
}

build_guest_images() {
    install -d -m 0755 /var/lib/berth "$IMAGES_DIR"
    rm -f "$IMAGES_DIR"/.tmp-*

    local want have=""
    want=$(guest_recipe_id)
    if [ -f "$GUEST_VERSION_FILE" ]; then
        have=$(head -n 1 "$GUEST_VERSION_FILE")
    fi
    if [ "$have" = "$want" ] && [ -f "$IMAGES_DIR/vmlinuz" ] && [ -f "$IMAGES_DIR/initrd-busybox.img" ]; then
        log "guest kernel and initramfs already built ($want)"
    else
        if [ -n "$have" ]; then
            log "guest images are '$have', rebuilding as '$want'"
        else
            log "building guest kernel and initramfs ($want)"
        fi
        build_guest_boot
        printf '%s\nkernel=%s\nbuilt=%s\n' "$want" "$GUEST_KERNEL" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
            >"$GUEST_VERSION_FILE"
    fi

    make_base_disk base-64m.qcow2 64M
    make_base_disk base-100m.qcow2 100M 50M
    if [ "$BENCH_IMAGES" = "1" ]; then
        make_base_disk base-20g.qcow2 20G 200M
    fi
}

# ---------------------------------------------------------------------------
# 6. Summary
# ---------------------------------------------------------------------------

summary() {
    log "summary:"
    log "  docker server $(docker version --format '{{.Server.Version}}, API {{.Server.APIVersion}} (min API {{.Server.MinAPIVersion}})')"
    log "  cgroup v$(docker info --format '{{.CgroupVersion}} (driver {{.CgroupDriver}})')"
    log "  image $TEST_IMAGE $(docker image inspect --format '{{.Id}}' "$TEST_IMAGE") (${TEST_IMAGE_LABEL}=$(image_version))"
    local line
    while IFS= read -r line; do
        [ -n "$line" ] && log "  $line"
    done < <(virsh -c "$LIBVIRT_URI" version)
    log "  guest images ($(head -n 1 "$GUEST_VERSION_FILE")):"
    while IFS= read -r line; do
        log "    $line"
    done < <(ls -la "$IMAGES_DIR")
}

# ---------------------------------------------------------------------------

main() {
    require_root
    install_packages
    start_docker
    start_libvirt
    build_test_image
    start_podman
    build_guest_images
    summary
    log "done"
}

main "$@"
