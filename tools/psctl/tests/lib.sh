# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# What the psctl command-line tests share (sourced from tools/psctl, after
# PSCTL is set): a scratch directory, psctl run against the preloaded fake
# module tests/fakenl.so, and TAP reporting.
#
#   TMP                  scratch directory, removed at exit (KEEP=1 keeps
#                        it and prints its name); a script with more to do
#                        at exit defines cleanup_more()
#   PSMON_STATE_DIR      exported: TMP/psmon
#   fake ARGS...         psctl with the fake module (its state in TMP/state,
#                        its log in TMP/log)
#   run STATUS ARGS...   fake ARGS, stdout in TMP/out, stderr in TMP/err;
#                        fails unless psctl exits with STATUS
#   err_is TEXT          psctl's last stderr (TMP/err) is TEXT
#   ok STATUS NAME       one TAP result; a failure shows TMP/err, TMP/out
#   skip NAME REASON     one skipped TAP result
#   node_start DIR       node_exporter serving DIR's textfiles on a free
#                        port of 127.0.0.1 (NODE_PORT; log in TMP/node.log);
#                        fails if it is not installed; node_stop (or the
#                        exit) stops it
#   tap_end              the plan, the count of failures, the exit status
#
# The scripts themselves check what they need (python3, ...) first.

FAKE=$(realpath tests/fakenl.so)
TMP=$(mktemp -d)

NODE_PID=
cleanup()
{
	node_stop
	if declare -F cleanup_more >/dev/null; then
		cleanup_more
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
if [ -n "${KEEP:-}" ]; then
	trap - EXIT
	echo "# $TMP"
fi
export PSMON_STATE_DIR=$TMP/psmon

n=0
failed=0
echo "TAP version 13"

ok()
{
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
		sed 's/^/#   /' "$TMP/err" "$TMP/out" 2>/dev/null | head -20
	fi
}

skip()
{
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

fake()
{
	LD_PRELOAD=$FAKE FAKE_PSMON=1 FAKE_PSMON_STATE=$TMP/state \
		FAKE_PSMON_LOG=$TMP/log "$PSCTL" "$@"
}

run()
{
	local want=$1 got

	shift
	fake "$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	[ "$got" -eq "$want" ] || {
		echo "exit $got, expected $want" >>"$TMP/err"
		return 1
	}
}

err_is()
{
	[ "$(cat "$TMP/err")" = "$1" ]
}

node_start()
{
	local bin

	bin=$(command -v prometheus-node-exporter || command -v node_exporter) ||
		return 1
	NODE_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') ||
		return 1
	"$bin" --web.listen-address="127.0.0.1:$NODE_PORT" --collector.disable-defaults \
		--collector.textfile --collector.textfile.directory="$1" \
		>"$TMP/node.log" 2>&1 &
	NODE_PID=$!
}

node_stop()
{
	[ -n "$NODE_PID" ] && kill "$NODE_PID" 2>/dev/null && wait "$NODE_PID" 2>/dev/null
	NODE_PID=
}

tap_end()
{
	echo "1..$n"
	[ "$failed" -eq 0 ] || echo "# $failed of $n tests failed"
	[ "$failed" -eq 0 ]
}
