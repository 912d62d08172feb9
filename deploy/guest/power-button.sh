#!/bin/sh
# Berth test guest: busybox acpid runs this (as /etc/acpi/PWRF/00000080) when
# the ACPI power button is pressed, e.g. by `virsh shutdown`.
printf '%s\n' "berth-guest: powering off" >/dev/console 2>/dev/null
sync
poweroff -f
