#!/bin/sh
# Berth test guest: the /init of /var/lib/berth/images/initrd-busybox.img.
#
# deploy/host-setup.sh (build_guest_images) copies this file into a busybox
# initramfs; it runs as PID 1 under busybox sh inside a VM booted with
# Debian's cloud kernel (direct kernel boot, console=ttyS0).
#
# Lines it prints on the console, each as one write (tests match them: keep
# them stable). host-setup.sh rebuilds the initramfs by itself when this
# file changes (its checksum is part of the image version marker).
#   berth-guest: booted
#   berth-guest: cmdline=<contents of /proc/cmdline>
#   berth-guest: cpus=<online cpus> mem_kb=<MemTotal in kB>
#   berth-guest: disk vda size=<bytes>          (one line per /dev/vd* disk)
#   berth-guest: wrote disk vda                 (kernel cmdline has berth.write=1)
#   berth-guest: burning <n> cpus               (kernel cmdline has berth.burn=1)
#   berth-guest: ready                          (all of the above printed)
#   berth-guest: powering off                   (ACPI power button, virsh shutdown)
#
# Kernel cmdline switches:
#   berth.burn=1    spin one busy loop per CPU (CPU quota tests)
#   berth.write=1   overwrite the first MiB of /dev/vda (copy-on-write tests)
#   berth.shell=1   start an interactive shell on ttyS0 (debugging with a
#                   pty serial and `virsh console`; off by default because
#                   its prompt would end up in file-backed serial logs)
#
# PID 1 never exits (that would panic the kernel).

PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || true
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null || true

# Only emergencies from the kernel on the console from now on, so kernel
# messages do not interleave with the lines below.
dmesg -n 3 2>/dev/null || true

# The last entry of .../console/active is the device behind /dev/console.
console_dev=""
if [ -r /sys/class/tty/console/active ]; then
    read -r active_consoles </sys/class/tty/console/active || true
    console_dev=${active_consoles##* }
fi

# say LINE: print LINE on /dev/console, and on ttyS0 too when the console is
# elsewhere (e.g. console=tty0), so a serial log always gets it once.
say() {
    printf '%s\n' "$*" >/dev/console 2>/dev/null
    if [ "$console_dev" != "ttyS0" ] && [ -c /dev/ttyS0 ]; then
        printf '%s\n' "$*" >/dev/ttyS0 2>/dev/null
    fi
}

cmdline=$(cat /proc/cmdline)
has_flag() {
    case " $cmdline " in
        *" $1 "*) return 0 ;;
    esac
    return 1
}

# Drivers the cloud kernel builds as modules (virtio_blk, virtio_net, ACPI
# power button, ...), in dependency order (written by host-setup.sh).
if [ -r /lib/modules/load-order ]; then
    while read -r module; do
        [ -n "$module" ] || continue
        insmod "/lib/modules/$module.ko" 2>/dev/null \
            || say "berth-guest: insmod $module failed"
    done </lib/modules/load-order
fi

say "berth-guest: booted"
say "berth-guest: cmdline=$cmdline"
mem_kb=$(sed -n 's/^MemTotal: *\([0-9]*\) kB$/\1/p' /proc/meminfo)
say "berth-guest: cpus=$(nproc) mem_kb=$mem_kb"

# Virtio disks appear asynchronously after insmod: wait up to ~3 s for every
# virtio block device (virtio device id 0x0002) to get its /sys/block entry.
want_disks=0
for dev in /sys/bus/virtio/devices/*; do
    [ "$(cat "$dev/device" 2>/dev/null)" = "0x0002" ] && want_disks=$((want_disks + 1))
done
tries=0
while [ "$tries" -lt 30 ]; do
    have_disks=0
    for disk in /sys/block/vd*; do
        [ -e "$disk" ] && have_disks=$((have_disks + 1))
    done
    [ "$have_disks" -ge "$want_disks" ] && break
    sleep 0.1
    tries=$((tries + 1))
done
for disk in /sys/block/vd*; do
    [ -e "$disk" ] || continue
    name=${disk##*/}
    sectors=$(cat "$disk/size")
    say "berth-guest: disk $name size=$((sectors * 512))"
done

# berth.write=1: the guest writes a marker over the first MiB of its disk, so tests can check
# that guest writes land in the VM's overlay and never in the shared base image.
if has_flag berth.write=1 && [ -b /dev/vda ]; then
    dd if=/dev/urandom of=/dev/vda bs=1024 count=1024 conv=fsync 2>/dev/null
    printf 'berth-guest-was-here' | dd of=/dev/vda bs=512 seek=0 conv=notrunc,fsync 2>/dev/null
    sync
    say "berth-guest: wrote disk vda"
fi

if has_flag berth.burn=1; then
    n=$(nproc)
    i=0
    while [ "$i" -lt "$n" ]; do
        (while :; do :; done) &
        i=$((i + 1))
    done
    say "berth-guest: burning $n cpus"
fi

# ACPI power button (virsh shutdown) -> clean power-off. busybox acpid runs
# /etc/acpi/PWRF/00000080 for the power button event.
if [ -x /etc/acpi/PWRF/00000080 ] && ls /dev/input/event* >/dev/null 2>&1; then
    acpid -c /etc/acpi -l /dev/null -p /run/acpid.pid 2>/dev/null || true
fi

if has_flag berth.shell=1 && [ -c /dev/ttyS0 ]; then
    setsid sh -c 'exec sh </dev/ttyS0 >/dev/ttyS0 2>&1' &
fi

say "berth-guest: ready"

while :; do
    sleep 3600
done
