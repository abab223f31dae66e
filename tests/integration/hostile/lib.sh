# shellcheck shell=bash
# Shared by the hostile.* tests (fixture lab.full): the registration tests'
# SIPp helpers, and a normal SIPp registration to prove the core still works.
# shellcheck source=../registration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../registration/lib.sh"
# shellcheck disable=SC2034 # used by the test scripts that source this
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# sipp_registers USER CONTACT_USER: an MD5 registration with SIPp through the
# P-CSCF must succeed (the binding is removed when the test ends).
sipp_registers() {
	local user=$1 cuser=$2 port
	reg_scenario "reg-$cuser" "$user" "$cuser" 600 "$(md5_auth "$user" "$user")" "" \
		"$(check_hdr Service-Route 'sip:orig@scscf')"
	port=$(free_port)
	expect_sipp "reg-$cuser" "$port"
	forget_later "$user" "$cuser" "$(md5_auth "$user" "$user")" "$port"
	pass "$user registers with SIPp ($cuser)"
}

# pcscf_pid: the running P-CSCF's pid (the lab's pid file).
pcscf_pid() { cat "$IMS_STATE/run/pcscf.pid"; }
