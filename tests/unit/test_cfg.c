/*
 * test_cfg — common/ims_cfg.h: defaults, a good file, and every way a file
 * can be wrong, each reported with file, line and key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ims_cfg.h"
#include "ims_log.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct demo_cfg {
	char domain[32];
	char server_name[64];
	int port;
	int workers;
	bool use_tcp;
	bool debug_dumps;
	int log_level;
};

#define T struct demo_cfg
static const struct ims_cfg_key keys[] = {
    IMS_CFG_L(T, "core", "log_level", log_level, "info"),
    IMS_CFG_S(T, "core", "domain", domain, "open-ims.test"),
    IMS_CFG_S(T, "sip", "server_name", server_name, "sip:scscf.open-ims.test:6060"),
    IMS_CFG_I(T, "sip", "port", port, "6060", 1, 65535),
    IMS_CFG_I(T, "sip", "workers", workers, "-1", -1, 64),
    IMS_CFG_B(T, "sip", "tcp", use_tcp, "yes"),
    IMS_CFG_B(T, "sip", "debug_dumps", debug_dumps, "off"),
    IMS_CFG_END,
};
#undef T

static struct demo_cfg cfg;
static char err[512];

static int load(const char *text)
{
	err[0] = '\0';
	assert_int_equal(ims_cfg_defaults(keys, &cfg, err, sizeof err), 0);
	return ims_cfg_load_string(text, "demo.cfg", keys, &cfg, err, sizeof err);
}

static void test_defaults_fill_every_field(void **state)
{
	memset(&cfg, 0x55, sizeof cfg);
	assert_int_equal(ims_cfg_defaults(keys, &cfg, err, sizeof err), 0);
	assert_string_equal(cfg.domain, "open-ims.test");
	assert_string_equal(cfg.server_name, "sip:scscf.open-ims.test:6060");
	assert_int_equal(cfg.port, 6060);
	assert_int_equal(cfg.workers, -1);
	assert_true(cfg.use_tcp);
	assert_false(cfg.debug_dumps);
	assert_int_equal(cfg.log_level, IMS_LOG_INFO);
}

static void test_empty_file_keeps_defaults(void **state)
{
	assert_int_equal(load(""), 0);
	assert_int_equal(cfg.port, 6060);
	assert_string_equal(cfg.domain, "open-ims.test");
}

static void test_good_file_overrides_with_comments_and_spaces(void **state)
{
	const char *text = "; the lab's S-CSCF\n"
	                   "# both comment styles\n"
	                   "[core]\n"
	                   "log_level = debug\n"
	                   "domain=example.org\n"
	                   "\n"
	                   "[sip]\n"
	                   "  port   =   5070   ; inline comment\n"
	                   "workers = 8\n"
	                   "tcp = off\n"
	                   "debug_dumps = TRUE\n"
	                   "server_name = sip:scscf.example.org:5070\n";
	assert_int_equal(load(text), 0);
	assert_int_equal(cfg.log_level, IMS_LOG_DEBUG);
	assert_string_equal(cfg.domain, "example.org");
	assert_int_equal(cfg.port, 5070);
	assert_int_equal(cfg.workers, 8);
	assert_false(cfg.use_tcp);
	assert_true(cfg.debug_dumps);
	assert_string_equal(cfg.server_name, "sip:scscf.example.org:5070");
}

static void test_every_bool_spelling(void **state)
{
	const char *yes[] = {"yes", "true", "on", "1", "YES", "On"};
	const char *no[] = {"no", "false", "off", "0", "No", "FALSE"};
	char text[64];
	for (size_t i = 0; i < 6; i++) {
		snprintf(text, sizeof text, "[sip]\ntcp = %s\n", no[i]);
		assert_int_equal(load(text), 0);
		assert_false(cfg.use_tcp);
		snprintf(text, sizeof text, "[sip]\ndebug_dumps = %s\n", yes[i]);
		assert_int_equal(load(text), 0);
		assert_true(cfg.debug_dumps);
	}
}

/* The message names the file, the line and the key. */
static void assert_error(const char *text, const char *expected)
{
	assert_int_equal(load(text), -1);
	print_message("    -> %s\n", err);
	if (!strstr(err, expected))
		fail_msg("error '%s' does not contain '%s'", err, expected);
}

static void test_unknown_key_names_file_line_key(void **state)
{
	assert_error("[core]\ndomain = x\n\n[sip]\nprot = 5060\n",
	             "demo.cfg:5: [sip] prot: unknown key");
}

static void test_key_in_wrong_section_is_unknown(void **state)
{
	assert_error("[core]\nport = 5060\n", "demo.cfg:2: [core] port: unknown key");
}

static void test_key_before_any_section_is_unknown(void **state)
{
	assert_error("port = 5060\n", "demo.cfg:1: [] port: unknown key");
}

static void test_bad_int(void **state)
{
	assert_error("[sip]\nport = 50x0\n",
	             "demo.cfg:2: [sip] port: '50x0' is not a whole number from 1 to 65535");
	assert_error("[sip]\nport = 70000\n",
	             "demo.cfg:2: [sip] port: '70000' is not a whole number");
	assert_error("[sip]\nport = 0\n", "demo.cfg:2: [sip] port:");
	assert_error("[sip]\nport =\n", "demo.cfg:2: [sip] port: '' is not a whole number");
	assert_error("[sip]\nworkers = 99999999999999999999\n", "demo.cfg:2: [sip] workers:");
	assert_int_equal(load("[sip]\nworkers = -1\n"), 0);
	assert_int_equal(cfg.workers, -1);
	assert_int_equal(load("[sip]\nport = 65535\n"), 0);
	assert_int_equal(cfg.port, 65535);
}

static void test_bad_bool(void **state)
{
	assert_error("[sip]\n\ntcp = maybe\n", "demo.cfg:3: [sip] tcp: 'maybe' is not yes or no");
	assert_error("[sip]\ntcp = yess\n", "demo.cfg:2: [sip] tcp: 'yess' is not yes or no");
}

static void test_bad_log_level(void **state)
{
	assert_error(
	    "[core]\nlog_level = verbose\n",
	    "demo.cfg:2: [core] log_level: 'verbose' is not one of error, warn, info, debug");
}

static void test_long_string(void **state)
{
	/* domain is char[32]: 31 characters fit, 32 do not. */
	assert_int_equal(load("[core]\ndomain = 0123456789012345678901234567890\n"), 0);
	assert_int_equal(strlen(cfg.domain), 31);
	assert_error("[core]\ndomain = 01234567890123456789012345678901\n",
	             "demo.cfg:2: [core] domain: value longer than 31 characters");
}

/* A line longer than the parser's line buffer is an error of that line, not
 * a silently cut value or a bogus next line. */
static void test_overlong_line(void **state)
{
	char text[1024];
	int n = snprintf(text, sizeof text, "[sip]\nport = 5060\nserver_name = sip:");
	memset(text + n, 'a', 600);
	strcpy(text + n + 600, "\nworkers = 2\n");
	assert_error(text, "demo.cfg:3:");
	assert_true(strstr(err, "long") != NULL);
}

/* The line reported is the line of the error even after an earlier
 * problem-free but unusual line, and only the first error is reported. */
static void test_first_error_wins_with_its_own_line(void **state)
{
	assert_error("[sip]\ntcp = banana\nport = nope\n", "demo.cfg:2: [sip] tcp:");
	assert_error("[sip]\nport = 1\nthis line has no equals sign\ntcp = banana\n",
	             "demo.cfg:3: syntax error");
	assert_error("[sip]\ntcp = banana\nthis line has no equals sign\n",
	             "demo.cfg:2: [sip] tcp:");
}

static void test_real_file_and_missing_file(void **state)
{
	char path[] = "/tmp/test_cfg.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("[sip]\nport = 7070\n\n[core]\nlog_level = warn\nbogus = 1\n", f);
	fclose(f);

	assert_int_equal(ims_cfg_defaults(keys, &cfg, err, sizeof err), 0);
	assert_int_equal(ims_cfg_load(path, keys, &cfg, err, sizeof err), -1);
	char expected[128];
	snprintf(expected, sizeof expected, "%s:6: [core] bogus: unknown key", path);
	assert_string_equal(err, expected);
	assert_int_equal(cfg.port, 7070); /* what came before was applied */
	unlink(path);

	assert_int_equal(ims_cfg_load(path, keys, &cfg, err, sizeof err), -1);
	snprintf(expected, sizeof expected, "%s: cannot open:", path);
	assert_true(strncmp(err, expected, strlen(expected)) == 0);
}

/* A caller buffer too small for the message still gets a terminated string. */
static void test_environment_variables_expand_in_strings(void **state)
{
	setenv("IMS_TEST_DOMAIN", "lab.example", 1);
	unsetenv("IMS_TEST_UNSET");
	assert_int_equal(load("[core]\ndomain = ${IMS_TEST_DOMAIN}\n"
			      "[sip]\nserver_name = sip:${IMS_TEST_UNSET:-scscf}.${IMS_TEST_DOMAIN}\n"),
			 0);
	assert_string_equal(cfg.domain, "lab.example");
	assert_string_equal(cfg.server_name, "sip:scscf.lab.example");
	assert_int_equal(load("[core]\ndomain = ${IMS_TEST_DOMAIN\n"), -1);
	assert_non_null(strstr(err, "demo.cfg:2: [core] domain:"));
	setenv("IMS_TEST_DOMAIN", "a-value-far-too-long-for-the-domain-field-of-this-struct", 1);
	assert_int_equal(load("[core]\ndomain = ${IMS_TEST_DOMAIN}\n"), -1);
	assert_non_null(strstr(err, "longer than"));
	unsetenv("IMS_TEST_DOMAIN");
}

static void test_small_error_buffer(void **state)
{
	char tiny[12];
	assert_int_equal(ims_cfg_defaults(keys, &cfg, tiny, sizeof tiny), 0);
	assert_int_equal(
	    ims_cfg_load_string("[sip]\nport = x\n", "demo.cfg", keys, &cfg, tiny, sizeof tiny),
	    -1);
	assert_int_equal(strlen(tiny), sizeof tiny - 1);
	assert_true(strncmp(tiny, "demo.cfg:2:", 11) == 0);
}

/* ims_path_dir: the folder of a path, as the P-CSCF's state file (to fsync
 * it) and the HSS's configuration file (to resolve paths against) need it. */
static void assert_dir(const char *path, const char *expected)
{
	char dir[64];
	memset(dir, 'x', sizeof dir);
	assert_int_equal(ims_path_dir(path, dir, sizeof dir), 0);
	if (strcmp(dir, expected) != 0)
		fail_msg("folder of '%s': '%s', expected '%s'", path, dir, expected);
}

static void test_path_dir_of_bare_name_is_dot(void **state)
{
	assert_dir("pcscf.reg", ".");
	assert_dir("", ".");
}

static void test_path_dir_of_absolute_paths(void **state)
{
	assert_dir("/x", "/");
	assert_dir("/etc/ims/hss.cfg", "/etc/ims");
	assert_dir("/", "/");
	assert_dir("//x", "/");
}

static void test_path_dir_of_relative_paths_with_folders(void **state)
{
	assert_dir("cfg/hss.cfg", "cfg");
	assert_dir("./hss.cfg", ".");
	assert_dir("../.lab/run/pcscf.reg", "../.lab/run");
	assert_dir("a/b/c", "a/b");
}

/* Text only, up to the last '/': a trailing '/' is cut and no more. */
static void test_path_dir_trailing_and_double_slashes(void **state)
{
	assert_dir("a/b/", "a/b");
	assert_dir("/a/", "/a");
	assert_dir("a//b", "a/");
	assert_dir("a/.", "a");
}

static void test_path_dir_too_long_fails_with_empty_dir(void **state)
{
	char dir[8];
	/* "abcdefg" is 7 characters: it fits in 8 bytes, "abcdefgh" does not. */
	assert_int_equal(ims_path_dir("abcdefg/x", dir, sizeof dir), 0);
	assert_string_equal(dir, "abcdefg");
	memset(dir, 'x', sizeof dir);
	assert_int_equal(ims_path_dir("abcdefgh/x", dir, sizeof dir), -1);
	assert_string_equal(dir, "");
	assert_int_equal(ims_path_dir("x", dir, 1), -1); /* "." needs 2 bytes */
	assert_int_equal(ims_path_dir("/x", dir, 1), -1);
	dir[0] = 'x';
	assert_int_equal(ims_path_dir("x", dir, 0), -1); /* writes nothing */
	assert_int_equal(dir[0], 'x');

	static char path[5000], big[4096];
	memset(path, 'a', sizeof path - 3);
	memcpy(path + sizeof path - 3, "/x", 3);
	assert_int_equal(ims_path_dir(path, big, sizeof big), -1);
	assert_string_equal(big, "");
}

int main(void)
{
	ims_log_init("test_cfg", IMS_LOG_WARN, false);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_fill_every_field),
	    cmocka_unit_test(test_environment_variables_expand_in_strings),
	    cmocka_unit_test(test_empty_file_keeps_defaults),
	    cmocka_unit_test(test_good_file_overrides_with_comments_and_spaces),
	    cmocka_unit_test(test_every_bool_spelling),
	    cmocka_unit_test(test_unknown_key_names_file_line_key),
	    cmocka_unit_test(test_key_in_wrong_section_is_unknown),
	    cmocka_unit_test(test_key_before_any_section_is_unknown),
	    cmocka_unit_test(test_bad_int),
	    cmocka_unit_test(test_bad_bool),
	    cmocka_unit_test(test_bad_log_level),
	    cmocka_unit_test(test_long_string),
	    cmocka_unit_test(test_overlong_line),
	    cmocka_unit_test(test_first_error_wins_with_its_own_line),
	    cmocka_unit_test(test_real_file_and_missing_file),
	    cmocka_unit_test(test_small_error_buffer),
	    cmocka_unit_test(test_path_dir_of_bare_name_is_dot),
	    cmocka_unit_test(test_path_dir_of_absolute_paths),
	    cmocka_unit_test(test_path_dir_of_relative_paths_with_folders),
	    cmocka_unit_test(test_path_dir_trailing_and_double_slashes),
	    cmocka_unit_test(test_path_dir_too_long_fails_with_empty_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
