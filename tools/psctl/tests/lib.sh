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
#   ok STATUS NAME       one TAP result; a failure shows TMP/err, TMP/out
#   skip NAME REASON     one skipped TAP result
#   tap_end              the plan, the count of failures, the exit status
#
# The scripts themselves check what they need (python3, ...) first.

FAKE=$(realpath tests/fakenl.so)
TMP=$(mktemp -d)

cleanup()
{
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

tap_end()
{
	echo "1..$n"
	[ "$failed" -eq 0 ] || echo "# $failed of $n tests failed"
	[ "$failed" -eq 0 ]
}
