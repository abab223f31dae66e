# tap.sh — the TAP-style checks the shell integration tests share.
# Source it, call ok/fail/check/check_ge, end with tap_done [NOTE]:
#   ok 1 - what held
#   not ok 2 - what did not: expected 'x', got 'y'
#   1..2
#   # 1 of 2 checks failed
failures=0
n=0

ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}
fail() {
	n=$((n + 1))
	failures=$((failures + 1))
	echo "not ok $n - $*"
}
check() { # check DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: expected '$2', got '$3'"; fi
}
check_ge() { # check_ge DESCRIPTION MIN ACTUAL
	if [ "$3" -ge "$2" ]; then ok "$1 ($3)"; else fail "$1: expected at least $2, got $3"; fi
}
# tap_done [NOTE]: the plan and the verdict; exits 1 when a check failed.
tap_done() {
	echo "1..$n"
	if [ "$failures" -gt 0 ]; then
		echo "# $failures of $n checks failed${1:+; $1}"
		exit 1
	fi
	echo "# all $n checks passed"
}
