#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a command as root inside a throw-away virtual machine that boots an
# installed distribution kernel (virtme style, no disk image):
#
#   host /  --9p, read-only-->  guest lower layer  \
#   tmpfs   ----------------->  guest upper layer   >-- overlay = guest /
#   checkout --9p, read-write->  same absolute path in the guest
#
# The guest sees every tool of the host and can write anywhere (writes to
# the overlay vanish at power off); writes below the checkout land on the
# host, so build products and logs written by the guest survive.
#
# Usage: selftests/vm/run.sh [OPTIONS] -- CMD [ARGS...]
#
#   --cpus N          virtual CPUs (default 2)
#   --mem MB          memory in MiB (default 2048)
#   --timeout SECS    kill the guest after SECS seconds (default 900)
#   --kver VERSION    kernel to boot (default $PSMON_KVER, else the newest
#                     /boot/vmlinuz-*)
#   --kernel IMAGE    boot IMAGE instead of an installed kernel: a bzImage,
#                     or an ELF vmlinux with a PVH entry point (booted
#                     directly); needs --modules
#   --modules DIR     IMAGE's modules, as "make modules_install" lays them
#                     out: DIR is .../lib/modules/VERSION (VERSION replaces
#                     --kver); the guest sees DIR as /lib/modules/VERSION,
#                     and modules.builtin there lets modprobe accept what
#                     is built in
#   --share DIR       directory shared read-write (default: the checkout)
#   --env NAME        pass the host's variable NAME into the guest (repeat)
#   --append ARGS     extra kernel command line arguments
#   --log FILE        also write the console (CR stripped) to FILE
#   --icount          deterministic guest time for benchmarks: qemu's
#                     instruction counting (-icount shift=2,sleep=off), the
#                     guest clock advancing 4 ns per guest instruction, so a
#                     rate the guest measures does not depend on the host's
#                     speed or load (use with --cpus 1)
#   --qemu-arg ARG    one more argument for qemu (repeat)
#
# CMD runs with bash in the host's current directory when that lies inside
# the shared directory (the shared directory itself otherwise), standard
# input from /dev/null, output on the console.  CI and variables whose
# names start with PSMON_ or KSFT_ are passed in automatically; PSMON_VM=1
# is set.  The guest has proc, sys, devtmpfs, devpts, debugfs, tracefs,
# cgroup2 and a tmpfs /run mounted, hostname psmon-vm and lo up.
#
# Kernel: console=ttyS0, loglevel=5 (warnings and worse reach the console),
# panic=-1 oops=panic (an oops ends the run at once; a WARN does not: tests
# look at dmesg themselves).  The exit status travels on a second serial
# port, so console noise cannot hide or fake it.  Booting takes 3-8 s under
# TCG (no KVM): an uncompressed copy of the kernel with a PVH entry point
# and the initramfs are built once into the cache.
#
# Exit status: CMD's status; 124 when the timeout expired; 123 when the
# guest kernel panicked (an oops panics: oops=panic); 122 when the guest
# stopped without reporting a status; 125 on a usage or setup error.
#
# Environment: PSMON_KVER (kernel version), PSMON_VM_CACHE (where the
# initramfs is cached, default selftests/vm/.cache), QEMU (binary).

set -euo pipefail

readonly EXIT_TIMEOUT=124
readonly EXIT_PANIC=123
readonly EXIT_NOSTATUS=122
readonly EXIT_SETUP=125

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)

cpus=2
mem=2048
timeout=900
kver=${PSMON_KVER:-}
kimage_opt=
moddir=
share=$repo
append=
log=
envs=()
extra=()

die() {
	echo "run.sh: $*" >&2
	exit $EXIT_SETUP
}

usage() {
	sed -n '/^# Usage:/,/^# Environment/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit $EXIT_SETUP
}

while [ $# -gt 0 ]; do
	case "$1" in
	--cpus) cpus=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--kver) kver=${2:?}; shift 2 ;;
	--kernel) kimage_opt=${2:?}; shift 2 ;;
	--modules) moddir=${2:?}; shift 2 ;;
	--share) share=$(cd "${2:?}" && pwd -P) || die "no directory $2"; shift 2 ;;
	--env) envs+=("${2:?}"); shift 2 ;;
	--append) append="$append ${2:?}"; shift 2 ;;
	--log) log=${2:?}; shift 2 ;;
	--icount) extra+=(-icount "shift=2,sleep=off"); shift ;;
	--qemu-arg) extra+=("${2:?}"); shift 2 ;;
	--) shift; break ;;
	-h|--help) usage ;;
	*) usage ;;
	esac
done
[ $# -gt 0 ] || usage
[[ "$cpus" =~ ^[1-9][0-9]*$ ]] || die "bad --cpus '$cpus'"
[[ "$mem" =~ ^[1-9][0-9]*$ ]] || die "bad --mem '$mem'"
[[ "$timeout" =~ ^[1-9][0-9]*$ ]] || die "bad --timeout '$timeout'"

qemu=${QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null || die "$qemu not found (make deps)"
command -v cpio >/dev/null || die "cpio not found (make deps)"
busybox=/bin/busybox
[ -x "$busybox" ] || die "$busybox not found (make deps: busybox-static)"
# The initramfs has no libraries: busybox must be the static build.
if grep -q -a -e '/ld-linux' "$busybox"; then
	die "$busybox is dynamically linked (make deps: busybox-static)"
fi

# modprobe's -d: the root under which lib/modules/VERSION lies.
modroot=/
if [ -n "$kimage_opt$moddir" ]; then
	if [ -z "$kimage_opt" ] || [ -z "$moddir" ]; then
		die "--kernel and --modules go together"
	fi
	[ -r "$kimage_opt" ] || die "cannot read $kimage_opt"
	moddir=$(cd "$moddir" && pwd -P) || die "no directory $moddir"
	case "$moddir" in
	*/lib/modules/*) ;;
	*) die "--modules $moddir: not a .../lib/modules/VERSION directory" ;;
	esac
	kver=${moddir##*/}
	modroot=${moddir%/lib/modules/*}
	[ -n "$modroot" ] || modroot=/
fi

if [ -z "$kver" ]; then
	kver=$(for f in /boot/vmlinuz-*; do [ -f "$f" ] && echo "${f#/boot/vmlinuz-}"; done |
	       sort -V | tail -n 1)
	[ -n "$kver" ] || die "no /boot/vmlinuz-* (make deps: linux-image-amd64)"
fi
if [ -n "$kimage_opt" ]; then
	kernel=$(readlink -f "$kimage_opt")
else
	kernel=/boot/vmlinuz-$kver
	moddir=/lib/modules/$kver
fi
[ -r "$kernel" ] || die "cannot read $kernel"
[ -d "$moddir" ] || die "no $moddir"

# Modules the initramfs loads before it can mount the shares, in load order.
initrd_modules() {
	local m line seen=" "

	for m in virtio_pci 9pnet_virtio 9p overlay; do
		modprobe -d "$modroot" -S "$kver" --show-depends "$m" 2>/dev/null ||
			die "modprobe cannot resolve $m for $kver"
	done | while read -r line; do
		# shellcheck disable=SC2086
		set -- $line
		[ "${1:-}" = insmod ] || continue
		case "$seen" in *" $2 "*) continue ;; esac
		seen="$seen$2 "
		echo "$2"
	done
}

# Stage 1: PID 1 in the initramfs. Mounts the shares and switches root.
stage1() {
	cat <<'EOF'
#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
fail() {
	echo "psmon-vm: $*"
	echo o > /proc/sysrq-trigger
	while :; do sleep 1; done
}
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
. /psmon-vm/params
for m in $(cat /modules.list); do
	insmod "/modules/$m" || fail "insmod $m failed"
done
mkdir -p /lower /upper /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose \
	hostroot /lower || fail "cannot mount the host root"
mount -t tmpfs -o mode=0755 upper /upper
mkdir -p /upper/data /upper/work
mount -t overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work \
	root /newroot || fail "cannot mount the overlay"
mount -t tmpfs -o mode=0755,nosuid,nodev run /newroot/run
mkdir -p /newroot/run/psmon-vm
cp /psmon-vm/* /stage2 /newroot/run/psmon-vm/
if [ -n "$PSMON_VM_SHARE" ]; then
	mkdir -p "/newroot$PSMON_VM_SHARE"
	mount -t 9p -o trans=virtio,version=9p2000.L,rw,msize=512000 \
		share "/newroot$PSMON_VM_SHARE" || fail "cannot mount the share"
fi
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
mount --move /dev /newroot/dev
cd /newroot
mkdir -p dev/pts dev/shm
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev shm dev/shm
# What udev or systemd would provide: bash's <(...) needs /dev/fd.
ln -sf /proc/self/fd dev/fd
ln -sf /proc/self/fd/0 dev/stdin
ln -sf /proc/self/fd/1 dev/stdout
ln -sf /proc/self/fd/2 dev/stderr
mount -t debugfs debugfs sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 sys/fs/cgroup 2>/dev/null
mount -t bpf bpf sys/fs/bpf 2>/dev/null
hostname psmon-vm
ip link set lo up
cd /
exec switch_root /newroot /bin/sh /run/psmon-vm/stage2
EOF
}

# Stage 2: PID 1 in the new root, run by the host's /bin/sh.
stage2() {
	cat <<'EOF'
# SPDX-License-Identifier: GPL-2.0
. /run/psmon-vm/params
export HOME=/root TERM=dumb LANG=C.UTF-8 SHELL=/bin/bash
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PSMON_VM=1
# A kernel booted with --kernel/--modules: its modules where modprobe looks.
if [ -n "$PSMON_VM_MODDIR" ]; then
	mkdir -p /lib/modules
	ln -sfn "$PSMON_VM_MODDIR" "/lib/modules/$(uname -r)"
fi
cd "$PSMON_VM_CWD" || cd /
echo "psmon-vm: up after $(cut -d' ' -f1 /proc/uptime) s"
/bin/bash /run/psmon-vm/cmd </dev/null
rc=$?
echo 1 > /proc/sys/kernel/printk
sync
# The last close of a serial port waits until its output is sent: report
# on the second port (read by the host), then flush the console.
echo "PSMON-VM-EXIT $PSMON_VM_NONCE $rc" > /dev/ttyS1
exec </dev/null >/dev/null 2>&1
echo "psmon-vm: exit status $rc" > /dev/console
echo o > /proc/sysrq-trigger
while :; do sleep 1; done
EOF
}

cache=${PSMON_VM_CACHE:-$here/.cache}
mkdir -p "$cache" || die "cannot create $cache"

mods=$(initrd_modules)
key=$( {
	echo "v1 $kver $busybox"
	stage1
	stage2
	echo "$mods"
	# shellcheck disable=SC2086
	stat -L -c '%n %s %Y' "$busybox" $mods
} | sha256sum | cut -c1-16)
initrd=$cache/initramfs-$kver-$key.cpio

if [ ! -s "$initrd" ]; then
	tmp=$(mktemp -d "$cache/build.XXXXXX")
	(
		set -e
		cd "$tmp"
		mkdir -p bin dev proc sys modules psmon-vm
		cp "$busybox" bin/busybox
		for a in sh mount insmod mkdir cat cp sleep switch_root hostname ip; do
			ln -s busybox "bin/$a"
		done
		stage1 > init
		stage2 > stage2.sh
		mv stage2.sh stage2
		chmod 755 init
		: > modules.list
		for m in $mods; do
			b=$(basename "$m")
			case "$m" in
			*.ko) cp "$m" modules/ ;;
			*.ko.xz) b=${b%.xz}; xz -dc "$m" > "modules/$b" ;;
			*.ko.zst) b=${b%.zst}; zstd -qdc "$m" > "modules/$b" ;;
			*.ko.gz) b=${b%.gz}; gzip -dc "$m" > "modules/$b" ;;
			*) echo "unknown module format: $m" >&2; exit 1 ;;
			esac
			echo "$b" >> modules.list
		done
		# The kernel gives PID 1 /dev/console as stdio when it exists.
		mknod -m 600 dev/console c 5 1 2>/dev/null || true
		find . ! -name . | LC_ALL=C sort |
			cpio -o -H newc --quiet -R 0:0 > "$tmp.cpio"
	) || { rm -rf "$tmp" "$tmp.cpio"; die "cannot build the initramfs"; }
	rm -rf "$tmp"
	mv -f "$tmp.cpio" "$initrd" || die "cannot store the initramfs"
	# Drop older images of the same kernel.
	for f in "$cache"/initramfs-"$kver"-*.cpio; do
		[ "$f" = "$initrd" ] || rm -f "$f"
	done
fi

# The bzImage decompressor is slow under emulation: when the kernel has a
# PVH entry point, extract the ELF image once and boot that directly.
extract_vmlinux() {
	local img=$1 out=$2 magic tool off

	for magic in xz:'\xfd7zXZ\x00' zstd:'\x28\xb5\x2f\xfd' gzip:'\x1f\x8b\x08'; do
		tool=${magic%%:*}
		command -v "$tool" >/dev/null || continue
		for off in $(LC_ALL=C grep -a -b -o -P "${magic#*:}" "$img" |
			     cut -d: -f1 | head -n 4); do
			tail -c +$((off + 1)) "$img" | "$tool" -dc 2>/dev/null > "$out"
			if [ "$(head -c 4 "$out" | od -An -c | tr -d ' ')" = '177ELF' ]; then
				return 0
			fi
		done
	done
	return 1
}

kimage=$kernel
if [ "$(head -c 4 "$kernel" | od -An -c | tr -d ' ')" = '177ELF' ]; then
	# An ELF image boots only through its PVH entry point.
	LC_ALL=C readelf -n "$kernel" 2>/dev/null | grep -q 'Xen.*(0x00000012)' ||
		die "$kernel is an ELF image without a PVH entry point (CONFIG_PVH)"
elif command -v readelf >/dev/null; then
	vmlinux=$cache/vmlinux-$kver-$(stat -L -c '%s-%Y' "$kernel")
	if [ ! -s "$vmlinux" ] && [ ! -e "$vmlinux.nopvh" ]; then
		tmpk=$(mktemp "$cache/vmlinux.XXXXXX")
		# XEN_ELFNOTE_PHYS32_ENTRY (18) marks the PVH entry point.
		if extract_vmlinux "$kernel" "$tmpk" &&
		   LC_ALL=C readelf -n "$tmpk" 2>/dev/null |
		   grep -q 'Xen.*(0x00000012)'; then
			mv -f "$tmpk" "$vmlinux"
			for f in "$cache"/vmlinux-"$kver"-*; do
				[ "$f" = "$vmlinux" ] || rm -f "$f"
			done
		else
			rm -f "$tmpk"
			: > "$vmlinux.nopvh"
		fi
	fi
	[ -s "$vmlinux" ] && kimage=$vmlinux
fi
firmware=()
if [ -r /usr/share/qemu/qboot.rom ]; then
	firmware=(-bios /usr/share/qemu/qboot.rom)
fi

# Per-run files: appended to the cached image as a second cpio archive.
run=$(mktemp -d "${TMPDIR:-/tmp}/psmon-vm.XXXXXX")
qpid=
# shellcheck disable=SC2317
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill -KILL "$qpid" 2>/dev/null || true
	fi
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

nonce=$(od -An -N8 -tx8 /dev/urandom | tr -d ' \n')
cwd=$(pwd -P)
case "$cwd/" in
"$share"/*) ;;
*) cwd=$share ;;
esac

mkdir -p "$run/root/psmon-vm"
{
	printf 'PSMON_VM_NONCE=%s\n' "$nonce"
	printf 'PSMON_VM_SHARE=%q\n' "$share"
	printf 'PSMON_VM_CWD=%q\n' "$cwd"
	printf 'PSMON_VM_MODDIR=%q\n' "${kimage_opt:+$moddir}"
} > "$run/root/psmon-vm/params"
{
	echo "# SPDX-License-Identifier: GPL-2.0"
	for v in CI "${envs[@]}" $(compgen -v | grep -E '^(PSMON|KSFT)_' || true); do
		case "$v" in PSMON_VM*) continue ;; esac
		[ -n "${!v+set}" ] && printf 'export %s=%q\n' "$v" "${!v}"
	done
	printf '%q ' "$@"
	echo
} > "$run/root/psmon-vm/cmd"
(cd "$run/root" && find psmon-vm | cpio -o -H newc --quiet -R 0:0) > "$run/extra.cpio"
cat "$initrd" "$run/extra.cpio" > "$run/initrd"

cmdline="console=ttyS0 quiet loglevel=5 panic=-1 oops=panic rdinit=/init"
cmdline="$cmdline mitigations=off audit=0 nokaslr tsc=reliable no_timer_check"
cmdline="$cmdline i8042.noaux i8042.nokbd i8042.nopnp cryptomgr.notests"
cmdline="$cmdline random.trust_cpu=on$append"

qemu_args=(
	-nodefaults -no-user-config -nographic -no-reboot
	-machine q35 -accel tcg -cpu max -smp "$cpus" -m "$mem"
	-serial stdio -serial "file:$run/status" -monitor none
	"${firmware[@]}"
	-kernel "$kimage" -initrd "$run/initrd" -append "$cmdline"
	-fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap"
	-device "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot"
	-fsdev "local,id=share,path=${share//,/,,},security_model=none,multidevs=remap"
	-device "virtio-9p-pci,fsdev=share,mount_tag=share"
	-pidfile "$run/qemu.pid"
	"${extra[@]}"
)

console=$run/console
: > "$console"
start=$(date +%s)
mkfifo "$run/fifo"
sed -u 's/\r$//' < "$run/fifo" | tee -a "$console" ${log:+"$log"} &
reader=$!
"$qemu" "${qemu_args[@]}" </dev/null >"$run/fifo" 2>&1 &
qpid=$!

# Watchdog: poll so that a signal to this script is handled promptly.
timed_out=0
while kill -0 "$qpid" 2>/dev/null; do
	if [ $(( $(date +%s) - start )) -ge "$timeout" ]; then
		timed_out=1
		echo "run.sh: timeout after $timeout s, killing the guest" >&2
		kill -TERM "$qpid" 2>/dev/null || true
		sleep 2
		kill -KILL "$qpid" 2>/dev/null || true
		break
	fi
	sleep 0.5
done
wait "$qpid" 2>/dev/null && qrc=0 || qrc=$?
qpid=
# The console pipeline ends when qemu closes its end.
wait "$reader" 2>/dev/null || true

if [ "$timed_out" = 1 ]; then
	exit $EXIT_TIMEOUT
fi
status=$(grep -a -o "PSMON-VM-EXIT $nonce [0-9]*" "$run/status" 2>/dev/null |
	 tail -n 1 | cut -d' ' -f3 || true)
if [ -n "$status" ]; then
	exit "$status"
fi
if grep -a -q -e 'Kernel panic - not syncing' "$console"; then
	echo "run.sh: the guest kernel panicked" >&2
	exit $EXIT_PANIC
fi
echo "run.sh: the guest stopped without an exit status (qemu status $qrc)" >&2
exit $EXIT_NOSTATUS
