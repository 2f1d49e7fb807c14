#!/bin/bash
# shellcheck disable=SC2153
# SPDX-License-Identifier: GPL-2.0
#
# Self-test of the test harness (run in the VM): builds the reference
# topology with selftests/lib.sh and checks that LACP negotiates and that
# interface counters see exactly the traffic sent.
#
#   NS_A                                     NS_B
#   lag0 192.0.2.1 --+-- lag0-m1 <-veth-> lag0-p1 --+-- lag0 192.0.2.2
#   2001:db8::1      +-- lag0-m2 <-veth-> lag0-p2 --+   2001:db8::2
#           (802.3ad, lacp_rate fast)      (802.3ad, lacp_rate fast)
#
# Usage: selftests/vm/run.sh -- selftests/vm/smoke.sh

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/lib.sh
source "$here/../lib.sh"

COUNT=50

require_root
require_cmd ip ping
require_module bonding veth

trap cleanup_all_ns EXIT

tap_plan 8
dmesg_mark

if setup_ns NS_A NS_B; then
	tap_ok "namespaces"
else
	tap_fail "namespaces"
fi

t0=$(now_ms)
make_lag "$NS_A" "$NS_B" lag0 2
tap_result "802.3ad LAG negotiates" $?
tap_diag "LACP negotiated in $(( $(now_ms) - t0 )) ms"

speed=$(in_ns "$NS_A" cat /sys/class/net/lag0-m1/speed 2>/dev/null)
check_eq "member speed (Mb/s)" "$speed" 10000
tap_result "veth member reports 10000 Mb/s" $?

ip -n "$NS_A" addr add 192.0.2.1/24 dev lag0
ip -n "$NS_B" addr add 192.0.2.2/24 dev lag0
ip -n "$NS_A" addr add 2001:db8::1/64 dev lag0 nodad
ip -n "$NS_B" addr add 2001:db8::2/64 dev lag0 nodad

# Warm up neighbour entries so the counted run carries only echo traffic.
busywait 5000 in_ns "$NS_A" ping -c 1 -W 1 192.0.2.2 >/dev/null
tap_result "IPv4 reachable over the LAG" $?
busywait 5000 in_ns "$NS_A" ping -6 -c 1 -W 1 2001:db8::2 >/dev/null
tap_result "IPv6 reachable over the LAG" $?

# Counters: the bond's counters are the sum of its members'; LACPDUs
# (one a second per member with lacp_rate fast) and IPv6 neighbour and
# multicast listener messages also cross, so allow for those.
rx0=$(link_stat "$NS_B" lag0 rx_packets)
tx0=$(link_stat "$NS_A" lag0 tx_packets)
t0=$(now_ms)
out=$(in_ns "$NS_A" ping -q -c "$COUNT" -i 0.01 -s 100 192.0.2.2)
secs=$(( ($(now_ms) - t0) / 1000 + 2 ))
rx1=$(link_stat "$NS_B" lag0 rx_packets)
tx1=$(link_stat "$NS_A" lag0 tx_packets)
recv=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
check_eq "echo replies" "$recv" "$COUNT"
tap_result "ping -c $COUNT: all replies" $?
lacp=$((2 * secs + 16))
check_range "rx_packets delta on NS_B lag0" $((rx1 - rx0)) "$COUNT" $((COUNT + lacp)) &&
check_range "tx_packets delta on NS_A lag0" $((tx1 - tx0)) "$COUNT" $((COUNT + lacp))
tap_result "interface counters match the pings" $?
tap_diag "rx delta $((rx1 - rx0)), tx delta $((tx1 - tx0)), allowance $lacp"

dmesg_check "kernel log"
tap_result "no kernel warnings" $?

tap_done
exit $?
