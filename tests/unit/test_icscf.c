/* Unit tests: the I-CSCF's S-CSCF choice and its Cx-to-SIP error map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <stdio.h>

#include "icscf.h"
#include "ims_cx.h"

static void load(struct icscf *ic, const char *list)
{
	char err[256];
	memset(ic, 0, sizeof *ic);
	assert_int_equal(icscf_cfg_load(&ic->cfg, NULL, err, sizeof err), 0);
	snprintf(ic->cfg.scscf_list, sizeof ic->cfg.scscf_list, "%s", list);
	ic->n_scscfs = icscf_cfg_scscfs(&ic->cfg, ic->scscfs, ICSCF_MAX_SCSCF, err, sizeof err);
}

static void test_server_name_from_hss_wins(void **state)
{
	struct icscf ic;
	load(&ic, "sip:s1.open-ims.test:6060");
	struct icscf_cx_result r = {.result = IMS_CX_SUBSEQUENT_REGISTRATION, .experimental = 1};
	snprintf(r.server_name, sizeof r.server_name, "sip:s9.open-ims.test:6060");
	assert_string_equal(icscf_select_scscf(&ic, &r), "sip:s9.open-ims.test:6060");
}

static void test_capabilities_pick_an_scscf_that_has_all_mandatory(void **state)
{
	struct icscf ic;
	load(&ic, "sip:a:6060 1 -; sip:b:6060 1,2 3; sip:c:6060 1,2 3,4");
	assert_int_equal(ic.n_scscfs, 3);
	struct icscf_cx_result r = {.has_capabilities = 1, .n_mandatory = 2, .mandatory = {1, 2},
				    .n_optional = 2, .optional = {3, 4}};
	assert_string_equal(icscf_select_scscf(&ic, &r), "sip:c:6060");
	r.mandatory[1] = 7; /* nobody has 7 */
	assert_null(icscf_select_scscf(&ic, &r));
}

/* ';' separates the entries only before another sip: URI: a URI may carry
 * parameters, e.g. transport=tcp for an S-CSCF reached over TCP. */
static void test_scscf_list_entries_keep_their_uri_parameters(void **state)
{
	struct icscf ic;
	load(&ic, "sip:a:6060;transport=tcp;lr 1 -; sip:b:6060 1,2 3;sip:c:6061;x=y;");
	assert_int_equal(ic.n_scscfs, 3);
	assert_string_equal(ic.scscfs[0].uri, "sip:a:6060;transport=tcp;lr");
	assert_int_equal(ic.scscfs[0].n_mandatory, 1);
	assert_string_equal(ic.scscfs[1].uri, "sip:b:6060");
	assert_int_equal(ic.scscfs[1].n_optional, 1);
	/* sips: is not taken (the I-CSCF forwards over sip:), but it still
	 * ends the entry before it rather than becoming a URI parameter */
	load(&ic, "sip:a:6060; sips:c:6061");
	assert_int_equal(ic.n_scscfs, -1);
}

static void test_bad_scscf_list_is_refused_with_reason(void **state)
{
	struct icscf ic;
	load(&ic, "scscf.open-ims.test");
	assert_int_equal(ic.n_scscfs, -1);
	char err[256];
	snprintf(ic.cfg.scscf_list, sizeof ic.cfg.scscf_list, "sip:a 1,x");
	assert_int_equal(icscf_cfg_scscfs(&ic.cfg, ic.scscfs, ICSCF_MAX_SCSCF, err, sizeof err), -1);
	assert_non_null(strstr(err, "capability"));
}

static void test_cx_errors_map_to_sip(void **state)
{
	const char *why;
	struct icscf_cx_result r = {.experimental = 1};
	r.result = IMS_CX_ERROR_USER_UNKNOWN;
	assert_int_equal(icscf_cx_to_sip(&r, &why), 403);
	r.result = IMS_CX_ERROR_IDENTITIES_DONT_MATCH;
	assert_int_equal(icscf_cx_to_sip(&r, &why), 403);
	r.result = IMS_CX_ERROR_ROAMING_NOT_ALLOWED;
	assert_int_equal(icscf_cx_to_sip(&r, &why), 403);
	r.result = IMS_CX_ERROR_IDENTITY_NOT_REGISTERED;
	assert_int_equal(icscf_cx_to_sip(&r, &why), 480);
	r = (struct icscf_cx_result){.result = IMS_DIAMETER_UNABLE_TO_COMPLY};
	assert_int_equal(icscf_cx_to_sip(&r, &why), 480);
	r.result = IMS_DIAMETER_UNABLE_TO_DELIVER;
	assert_int_equal(icscf_cx_to_sip(&r, &why), 503);
	r.result = 0; /* no answer at all */
	assert_int_equal(icscf_cx_to_sip(&r, &why), 504);
	assert_non_null(strstr(why, "did not answer"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_name_from_hss_wins),
		cmocka_unit_test(test_capabilities_pick_an_scscf_that_has_all_mandatory),
		cmocka_unit_test(test_scscf_list_entries_keep_their_uri_parameters),
		cmocka_unit_test(test_bad_scscf_list_is_refused_with_reason),
		cmocka_unit_test(test_cx_errors_map_to_sip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
