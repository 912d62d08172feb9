#!/usr/bin/env bash
# Boots the Berth test guest once through libvirt and prints its serial log:
# a quick check that libvirtd, QEMU and the guest images from
# deploy/host-setup.sh work on this host.
#
#   sudo bash deploy/guest/boot-probe.sh [options]
#
#   -t TYPE    domain type: qemu (TCG, default; boots everywhere) or kvm
#   -d FILE    attach FILE (qcow2) as virtio disk vda
#   -n         add a user-mode network interface (<interface type='user'/>)
#   -a ARGS    extra kernel command line arguments (e.g. berth.burn=1)
#   -m MIB     memory in MiB (default 128)
#   -c N       vCPUs (default 1)
#   -w SECS    wait at most SECS for "berth-guest: ready" (default 60)
#   -k         keep the domain running (prints its name; default: destroy
#              and undefine it)
#
# Exit status 0 when the guest printed "berth-guest: ready" in time.
set -euo pipefail

readonly URI=qemu:///system
readonly IMAGES_DIR=/var/lib/berth/images
readonly LOG_DIR=/var/lib/berth/logs

type=qemu disk="" net=0 args="" mem=128 cpus=1 wait_s=60 keep=0
while getopts 't:d:na:m:c:w:k' opt; do
    case "$opt" in
        t) type=$OPTARG ;;
        d) disk=$OPTARG ;;
        n) net=1 ;;
        a) args=$OPTARG ;;
        m) mem=$OPTARG ;;
        c) cpus=$OPTARG ;;
        w) wait_s=$OPTARG ;;
        k) keep=1 ;;
        *) sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2; exit 2 ;;
    esac
done

log() { printf 'boot-probe: %s\n' "$*"; }

name=berth-probe-$$
serial=$LOG_DIR/$name.log
install -d -m 0755 "$LOG_DIR"
rm -f "$serial"

disk_xml=""
if [ -n "$disk" ]; then
    disk_xml="<disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$(readlink -f "$disk")'/>
      <target dev='vda' bus='virtio'/>
    </disk>"
fi
net_xml=""
if [ "$net" = 1 ]; then
    net_xml="<interface type='user'><model type='virtio'/></interface>"
fi

xml=$(mktemp -t berth-probe.XXXXXX.xml)
cleanup() {
    rm -f "$xml"
    if [ "$keep" = 0 ]; then
        virsh -c "$URI" destroy "$name" >/dev/null 2>&1 || true
        virsh -c "$URI" undefine "$name" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

cat >"$xml" <<EOF
<domain type='$type'>
  <name>$name</name>
  <memory unit='MiB'>$mem</memory>
  <vcpu>$cpus</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$IMAGES_DIR/vmlinuz</kernel>
    <initrd>$IMAGES_DIR/initrd-busybox.img</initrd>
    <cmdline>console=ttyS0 panic=-1${args:+ $args}</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    $disk_xml
    $net_xml
    <serial type='file'><source path='$serial'/><target port='0'/></serial>
    <console type='file'><source path='$serial'/><target type='serial' port='0'/></console>
    <memballoon model='none'/>
  </devices>
</domain>
EOF

virsh -c "$URI" define "$xml" >/dev/null
start=$(date +%s%N)
virsh -c "$URI" start "$name" >/dev/null
log "started $name (type=$type), waiting up to ${wait_s}s for 'berth-guest: ready'"

ok=0
deadline=$((SECONDS + wait_s))
while [ "$SECONDS" -lt "$deadline" ]; do
    if grep -q 'berth-guest: ready' "$serial" 2>/dev/null; then
        ok=1
        break
    fi
    sleep 0.2
done
elapsed_ms=$((($(date +%s%N) - start) / 1000000))

log "domstate: $(virsh -c "$URI" domstate "$name" 2>&1 | head -n 1)"
log "guest lines:"
grep 'berth-guest:' "$serial" 2>/dev/null | tr -d '\r' | sed 's/^/  /' || true
if [ "$ok" = 1 ]; then
    log "guest ready after ${elapsed_ms} ms"
else
    log "guest did NOT print 'berth-guest: ready' within ${wait_s}s; last serial lines:"
    tail -n 20 "$serial" 2>/dev/null | tr -d '\r' | sed 's/^/  /' || true
fi
if [ "$keep" = 1 ]; then
    log "kept running: $name (serial log $serial)"
fi
[ "$ok" = 1 ]
