/* Unit tests of the HSS's configuration table (cfg/hss.cfg) and of the
 * control channel's command parsing (no database, no Diameter). */
#include "hss_cfg.h"
#include "hss_ctl.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);
	return n >= m && strcmp(s + n - m, tail) == 0;
}

static void test_hss_cfg_file_gives_lab_defaults(void **state)
{
	struct hss_cfg cfg;
	char err[512] = "";

	unsetenv("IMS_STATE"); /* the default below is the one without a lab */
	assert_int_equal(hss_cfg_load(IMS_CFG_DIR "/hss.cfg", &cfg, err, sizeof err), 0);
	assert_string_equal(cfg.db_host, "127.0.0.1");
	assert_int_equal(cfg.db_port, 3307);
	assert_string_equal(cfg.db_user, "ims");
	assert_string_equal(cfg.db_name, "ims_hss");
	assert_int_equal(cfg.db_connect_timeout, 1);
	assert_int_equal(cfg.max_auth_items, 5);
	assert_string_equal(cfg.home_network, "open-ims.test");
	/* relative paths resolve against the file's folder */
	assert_int_equal(cfg.diameter_config[0], '/');
	assert_true(ends_with(cfg.diameter_config, "/cfg/hss.fd.conf"));
	assert_true(ends_with(cfg.control_socket, "/cfg/../.lab/run/hss.ctl"));

	/* a lab in another state folder has its own control socket */
	setenv("IMS_STATE", "/tmp/some-lab", 1);
	assert_int_equal(hss_cfg_load(IMS_CFG_DIR "/hss.cfg", &cfg, err, sizeof err), 0);
	assert_string_equal(cfg.control_socket, "/tmp/some-lab/run/hss.ctl");
	unsetenv("IMS_STATE");
}

static void test_hss_cfg_defaults_equal_the_file(void **state)
{
	struct hss_cfg a, b;
	char err[512];

	assert_int_equal(hss_cfg_defaults(&a, err, sizeof err), 0);
	assert_int_equal(hss_cfg_load(IMS_CFG_DIR "/hss.cfg", &b, err, sizeof err), 0);
	assert_int_equal(a.db_port, b.db_port);
	assert_int_equal(a.db_pool_size, b.db_pool_size);
	assert_int_equal(a.db_read_timeout, b.db_read_timeout);
	assert_int_equal(a.request_timeout, b.request_timeout);
	assert_int_equal(a.diameter_nodelay, b.diameter_nodelay);
	assert_true(b.diameter_nodelay);
	assert_string_equal(a.digest_realm, b.digest_realm);
}

static void test_hss_cfg_refuses_unknown_key_and_bad_value(void **state)
{
	char path[] = "/tmp/hss-cfg-XXXXXX";
	struct hss_cfg cfg;
	char err[512] = "";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs("[db]\nport = 70000\n", f);
	fclose(f);
	assert_int_equal(hss_cfg_load(path, &cfg, err, sizeof err), -1);
	assert_non_null(strstr(err, "port"));
	f = fopen(path, "w");
	fputs("[db]\nprot = 3307\n", f);
	fclose(f);
	assert_int_equal(hss_cfg_load(path, &cfg, err, sizeof err), -1);
	assert_non_null(strstr(err, "prot"));
	unlink(path);
}

static void test_hss_ctl_commands_are_parsed(void **state)
{
	char out[1024];

	hss_ctl_execute("ping", out, sizeof out);
	assert_string_equal(out, "OK 0 pong");
	hss_ctl_execute("", out, sizeof out);
	assert_int_equal(strncmp(out, "ERR", 3), 0);
	hss_ctl_execute("rtr", out, sizeof out);
	assert_int_equal(strncmp(out, "ERR usage: rtr", 14), 0);
	hss_ctl_execute("rtr alice@open-ims.test sometimes", out, sizeof out);
	assert_int_equal(strncmp(out, "ERR usage: rtr", 14), 0);
	hss_ctl_execute("rtr alice@open-ims.test 9", out, sizeof out);
	assert_int_equal(strncmp(out, "ERR usage: rtr", 14), 0);
	hss_ctl_execute("ppr", out, sizeof out);
	assert_string_equal(out, "ERR usage: ppr IDENTITY");
	hss_ctl_execute("ppr a b", out, sizeof out);
	assert_string_equal(out, "ERR usage: ppr IDENTITY");
	hss_ctl_execute("reboot", out, sizeof out);
	assert_string_equal(out, "ERR unknown command 'reboot'; try help");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hss_cfg_file_gives_lab_defaults),
		cmocka_unit_test(test_hss_cfg_defaults_equal_the_file),
		cmocka_unit_test(test_hss_cfg_refuses_unknown_key_and_bad_value),
		cmocka_unit_test(test_hss_ctl_commands_are_parsed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
