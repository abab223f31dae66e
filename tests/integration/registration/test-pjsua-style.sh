#!/usr/bin/env bash
# What PJSUA --use-ims sends (IMS-FACTS.md): an empty Authorization with no
# algorithm on every REGISTER, no Supported: path over UDP, and refreshes
# that are challenged again.
. "$(dirname "$0")/lib.sh"

empty='Authorization: Digest username="alice@open-ims.test", realm="open-ims.test", nonce="", uri="sip:open-ims.test", response=""'
reg_scenario pj1 alice alice-pj 600 "$(md5_auth alice alice)" "$empty"
sed -i '/Supported: path/d' "$WORK/pj1.xml"
port=$(free_port)
expect_sipp pj1 "$port"
pass "empty Authorization without algorithm -> subscriber's default (MD5) -> 200"

cp "$WORK/pj1.xml" "$WORK/pj-refresh.xml"
expect_sipp pj-refresh "$port"
pass "a refresh is challenged again and succeeds"

reg_scenario pj-off alice alice-pj 0 "$(md5_auth alice alice)" "$empty"
expect_sipp pj-off "$port"
