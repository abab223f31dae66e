/*
 * Unit tests for scscf_cfg: cfg/scscf.cfg holds exactly the lab defaults,
 * relative paths resolve against the file's folder, and bad values stop
 * the daemon with file, line and key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "scscf_cfg.h"

static void test_shipped_file_equals_the_defaults(void **state)
{
	static struct scscf_cfg file, def;
	char err[512];
	assert_int_equal(scscf_cfg_load(IMS_CFG_DIR "/scscf.cfg", &file, err, sizeof err), 0);
	assert_int_equal(scscf_cfg_defaults(&def, err, sizeof err), 0);
	assert_string_equal(file.server_name, "sip:scscf.open-ims.test:6060");
	assert_string_equal(file.server_name, def.server_name);
	assert_string_equal(file.service_route, def.service_route);
	assert_string_equal(file.realm, "open-ims.test");
	assert_int_equal(file.sip.port, 6060);
	assert_string_equal(file.sip.name, "scscf.open-ims.test");
	assert_int_equal(file.default_expires, def.default_expires);
	assert_int_equal(file.min_expires, def.min_expires);
	assert_int_equal(file.max_expires, def.max_expires);
	assert_int_equal(file.max_contacts, def.max_contacts);
	assert_int_equal(file.nonce_lifetime, def.nonce_lifetime);
	assert_int_equal(file.timeout_ms, 1500);
	assert_int_equal(file.db_port, 3307);
	assert_string_equal(file.db_name, "ims_scscf");
	assert_true(file.db_enabled);
	/* [diameter] config is absolute, next to the file */
	assert_non_null(strstr(file.diameter_config, "/scscf.fd.conf"));
	assert_int_equal(file.diameter_config[0], '/');
	assert_non_null(strstr(file.path, "/scscf.cfg"));
}

static int load_text(const char *text, struct scscf_cfg *cfg, char *err, size_t len)
{
	char path[] = "/tmp/test_scscf_cfg_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	int rc = scscf_cfg_load(path, cfg, err, len);
	unlink(path);
	return rc;
}

static void test_bad_values_are_refused(void **state)
{
	static struct scscf_cfg cfg;
	char err[512];
	assert_int_equal(
	    load_text("[registrar]\nmin_expires = 100\nmax_expires = 50\n", &cfg, err, sizeof err),
	    -1);
	assert_non_null(strstr(err, "min_expires"));
	assert_int_equal(load_text("[auth]\nnonce_lifetime = 0\n", &cfg, err, sizeof err), -1);
	assert_int_equal(load_text("[scscf]\nno_such_key = 1\n", &cfg, err, sizeof err), -1);
	assert_non_null(strstr(err, "no_such_key"));
	assert_int_equal(load_text("[db]\nenabled = no\n[diameter]\nconfig = /etc/x.conf\n", &cfg,
	                           err, sizeof err),
	                 0);
	assert_false(cfg.db_enabled);
	assert_string_equal(cfg.diameter_config, "/etc/x.conf");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shipped_file_equals_the_defaults),
	    cmocka_unit_test(test_bad_values_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
