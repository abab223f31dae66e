#!/usr/bin/env bash
# A restarted S-CSCF still knows every registration (write-through to
# MySQL); a stopped HSS gives a 5xx within 2 seconds, and registration works
# again once it is back.
. "$(dirname "$0")/lib.sh"
LAB="$IMS_SOURCE/scripts/lab"

port=$(free_port)
reg_scenario before dave dave-restart 600 "$(aka_auth dave dave-aka-secret1)"
expect_sipp before "$port"
forget_later dave dave-restart "$(aka_auth dave dave-aka-secret1)" "$port"
"$LAB" down scscf >/dev/null
"$LAB" up scscf >/dev/null || fail "the S-CSCF did not come back"
# A fetch (REGISTER without Contact) lists the bindings the S-CSCF has.
scenario fetch <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="fetch">
  <send retrans="500"><![CDATA[
$(register_msg 1 dave dave-restart 600 | sed '/Contact:/d;/Expires:/d')
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="401" auth="true"/>
  <send retrans="500"><![CDATA[
$(register_msg 2 dave dave-restart 600 "$(aka_auth dave dave-aka-secret1)" | sed '/Contact:/d;/Expires:/d')
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="200">
    <action>
$(check_hdr Contact 'dave-restart@')
    </action>
  </recv>
  <Reference variables="chk"/>
</scenario>
XML
expect_sipp fetch "$port"
pass "the binding survived an S-CSCF restart"

"$LAB" down hss >/dev/null
scenario hss-down <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="hss-down">
  <send retrans="500"><![CDATA[
$(register_msg 1 carol carol-down 600)
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="500" optional="true" next="done"/>
  <recv response="503" optional="true" next="done"/>
  <recv response="504" next="done"/>
  <label id="done"/>
</scenario>
XML
start=$(date +%s%N)
run_sipp hss-down "$(free_port)" || true
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
status=$(grep -m1 -o 'SIP/2.0 5[0-9][0-9]' "$WORK/hss-down.msg" | tail -1 || true)
"$LAB" up hss >/dev/null || fail "the HSS did not come back"
[ -n "$status" ] || fail "no 5xx while the HSS was down"
[ "$elapsed" -lt 2500 ] || fail "the 5xx took ${elapsed} ms (limit 2 s + SIPp start)"
pass "HSS down: '$status' in ${elapsed} ms"

# the Diameter peers reconnect on their own (watchdogs, reconnection timer)
for i in $(seq 1 30); do
	reg_scenario after carol carol-after 600 "$(aka_auth carol carol-aka-secret)"
	p=$(free_port)
	if run_sipp after "$p"; then
		forget_later carol carol-after "$(aka_auth carol carol-aka-secret)" "$p"
		pass "registration works again ${i}s after the HSS came back"
		exit 0
	fi
	sleep 1
done
fail "no registration within 30 s of the HSS coming back"
