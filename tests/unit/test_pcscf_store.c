/* Unit tests: the P-CSCF's registration table in its state file
 * (pcscf_store: snapshot + journal, torn and corrupt records, expiry,
 * compaction) and the [pcscf] state_file setting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pcscf_cfg.h"
#include "pcscf_reg.h"
#include "pcscf_store.h"

static const char *IMPUS = "<sip:alice@open-ims.test>, <tel:+15550001>";
static const char *ROUTE = "<sip:orig@scscf.open-ims.test:6060;lr>";
#define NOW 1000

static char dir[64], path[128];

static int make_dir(void **state)
{
	snprintf(dir, sizeof dir, "/tmp/test-pcscf-store-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/pcscf.reg", dir);
	return 0;
}

static int remove_dir(void **state)
{
	char tmp[160];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	unlink(path);
	unlink(tmp);
	rmdir(dir);
	return 0;
}

static size_t file_size(void)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (size_t)st.st_size;
}

static uint8_t *file_read(size_t *size)
{
	*size = file_size();
	uint8_t *p = malloc(*size ? *size : 1);
	FILE *f = fopen(path, "rb");
	assert_non_null(p);
	assert_non_null(f);
	assert_int_equal(fread(p, 1, *size, f), *size);
	fclose(f);
	return p;
}

static void file_write(const uint8_t *p, size_t size)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, size, f), size);
	fclose(f);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Offset of record i (0 = the first after the header). */
static size_t record_at(const uint8_t *p, unsigned i)
{
	size_t off = PCSCF_STORE_HEADER;
	while (i--)
		off += le32(p + off);
	return off;
}

static struct pcscf_reg *save(struct pcscf_regtab *t, const char *contact, const char *ip,
			      uint16_t port, bool tcp, const char *route, time_t expires)
{
	struct pcscf_reg *r = pcscf_reg_save(t, contact, ip, port, tcp, IMPUS, route, expires);
	assert_non_null(r);
	return r;
}

/* A file of three saves a, b, c (journal only: the snapshot is empty). */
static void three_saves(void)
{
	struct pcscf_regtab *t = pcscf_regtab_new(64);
	struct pcscf_store *s = pcscf_store_open(path, t, NOW);
	assert_non_null(s);
	save(t, "sip:a@10.0.0.1:5060", "10.0.0.1", 1001, false, ROUTE, 5000);
	save(t, "sip:b@10.0.0.2:5060", "10.0.0.2", 1002, false, ROUTE, 5000);
	save(t, "sip:c@10.0.0.3:5060", "10.0.0.3", 1003, false, ROUTE, 5000);
	pcscf_store_close(s);
	pcscf_regtab_free(t);
}

static void test_store_round_trip_keeps_every_field(void **state)
{
	struct pcscf_regtab *t = pcscf_regtab_new(64);
	struct pcscf_store *s = pcscf_store_open(path, t, NOW);
	assert_non_null(s);
	assert_int_equal(file_size(), PCSCF_STORE_HEADER); /* an empty snapshot */
	save(t, "sip:alice@192.168.1.10:5060", "10.0.0.1", 40000, false, ROUTE, 4000);
	save(t, "<sip:bob@192.168.1.11:5070;transport=tcp>", "10.0.0.2", 40001, true, "", 5000);
	save(t, "sip:carol@192.168.1.12", "10.0.0.3", 40002, false, ROUTE, 5000);
	assert_true(pcscf_reg_remove(t, "sip:carol@192.168.1.12:5060"));
	/* alice registers again from elsewhere */
	save(t, "sip:alice@192.168.1.10:5060", "2001:db8::1", 40009, true, ROUTE, 6000);
	assert_int_equal(pcscf_store_flush(s, 5000), 0);
	struct pcscf_store_stats st;
	pcscf_store_get_stats(s, &st);
	assert_int_equal(st.records, 5);
	assert_int_equal(st.snapshot, 0);
	assert_int_equal(st.lost, 0);
	pcscf_store_close(s);
	pcscf_regtab_free(t);

	struct pcscf_store_result res;
	t = pcscf_regtab_new(64);
	assert_int_equal(pcscf_store_load(path, t, NOW, &res), 0);
	assert_int_equal(res.records, 5);
	assert_int_equal(res.live, 2);
	assert_int_equal(res.bad + res.torn + res.refused + res.expired, 0);
	struct pcscf_reg *a = pcscf_reg_by_addr(t, "2001:db8::1", 40009, true, NOW);
	assert_non_null(a);
	assert_string_equal(a->contact, "sip:alice@192.168.1.10:5060");
	assert_string_equal(a->impus, IMPUS);
	assert_string_equal(a->asserted, "sip:alice@open-ims.test");
	assert_string_equal(a->service_route, ROUTE);
	assert_int_equal(a->expires, 6000);
	assert_null(pcscf_reg_by_addr(t, "10.0.0.1", 40000, false, NOW));
	struct pcscf_reg *b = pcscf_reg_by_contact(t, "sip:bob@192.168.1.11:5070", NOW);
	assert_non_null(b);
	assert_string_equal(b->src_ip, "10.0.0.2");
	assert_int_equal(b->src_port, 40001);
	assert_true(b->tcp);
	assert_string_equal(b->service_route, "");
	assert_int_equal(b->expires, 5000);
	assert_null(pcscf_reg_by_contact(t, "sip:carol@192.168.1.12", NOW));
	pcscf_regtab_free(t);

	/* opening again writes the two as a snapshot and drops the journal */
	t = pcscf_regtab_new(64);
	s = pcscf_store_open(path, t, NOW);
	assert_non_null(s);
	assert_int_equal(pcscf_regtab_count(t), 2);
	pcscf_store_get_stats(s, &st);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.snapshot, 2);
	pcscf_store_close(s);
	pcscf_regtab_free(t);
	t = pcscf_regtab_new(64);
	assert_int_equal(pcscf_store_load(path, t, NOW, &res), 0);
	assert_int_equal(res.records, 2);
	assert_non_null(pcscf_reg_by_addr(t, "2001:db8::1", 40009, true, NOW));
	pcscf_regtab_free(t);
}

static void test_store_torn_last_record_is_ignored(void **state)
{
	three_saves();
	size_t size;
	uint8_t *p = file_read(&size);
	size_t last = record_at(p, 2);
	struct pcscf_store_result res;

	/* cut inside the last record's strings, then inside its header */
	const size_t cuts[] = {size - 5, last + 10};
	for (unsigned i = 0; i < 2; i++) {
		file_write(p, cuts[i]);
		struct pcscf_regtab *t = pcscf_regtab_new(64);
		assert_int_equal(pcscf_store_load(path, t, NOW, &res), 0);
		assert_int_equal(res.torn, 1);
		assert_int_equal(res.bad, 0);
		assert_int_equal(res.records, 2);
		assert_int_equal(res.live, 2);
		assert_non_null(pcscf_reg_by_addr(t, "10.0.0.2", 1002, false, NOW));
		assert_null(pcscf_reg_by_addr(t, "10.0.0.3", 1003, false, NOW));
		pcscf_regtab_free(t);
	}

	/* the store starts on it, and what it appends then is read back */
	struct pcscf_regtab *t = pcscf_regtab_new(64);
	struct pcscf_store *s = pcscf_store_open(path, t, NOW);
	assert_non_null(s);
	save(t, "sip:d@10.0.0.4:5060", "10.0.0.4", 1004, false, ROUTE, 5000);
	pcscf_store_close(s);
	pcscf_regtab_free(t);
	t = pcscf_regtab_new(64);
	assert_int_equal(pcscf_store_load(path, t, NOW, &res), 0);
	assert_int_equal(res.torn + res.bad, 0);
	assert_int_equal(res.live, 3);
	assert_non_null(pcscf_reg_by_addr(t, "10.0.0.4", 1004, false, NOW));
	pcscf_regtab_free(t);
	free(p);
}

static void test_store_corrupt_record_in_the_middle_is_skipped(void **state)
{
	three_saves();
	size_t size;
	uint8_t *p = file_read(&size);
	size_t mid = record_at(p, 1);
	struct pcscf_store_result res;

	/* a flipped byte in its strings (checksum), then in its length */
	const size_t where[] = {mid + PCSCF_STORE_RECORD_HEAD + 3, mid + 1};
	for (unsigned i = 0; i < 2; i++) {
		uint8_t *q = malloc(size);
		assert_non_null(q);
		memcpy(q, p, size);
		q[where[i]] ^= 0x40;
		file_write(q, size);
		free(q);
		struct pcscf_regtab *t = pcscf_regtab_new(64);
		assert_int_equal(pcscf_store_load(path, t, NOW, &res), 0);
		assert_int_equal(res.bad, 1);
		assert_int_equal(res.torn, 0);
		assert_int_equal(res.records, 2);
		assert_non_null(pcscf_reg_by_addr(t, "10.0.0.1", 1001, false, NOW));
		assert_null(pcscf_reg_by_addr(t, "10.0.0.2", 1002, false, NOW));
		assert_non_null(pcscf_reg_by_addr(t, "10.0.0.3", 1003, false, NOW));
		pcscf_regtab_free(t);
	}

	/* a corrupt header: the records after it are still read */
	uint8_t *q = malloc(size);
	assert_non_null(q);
	memcpy(q, p, size);
	q[3] = 'X';
	file_write(q, size);
	free(q);
	struct pcscf_regtab *t = pcscf_regtab_new(64);
	assert_int_equal(pcscf_store_load(path, t, NOW, &res), 0);
	assert_int_equal(res.live, 3);
	pcscf_regtab_free(t);
	free(p);
}

static void test_store_garbage_never_stops_the_start(void **state)
{
	uint8_t junk[5000];
	srand(8);
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (uint8_t)rand();
	const size_t sizes[] = {sizeof junk, 10, 0};
	for (unsigned i = 0; i < 3; i++) {
		file_write(junk, sizes[i]);
		struct pcscf_regtab *t = pcscf_regtab_new(64);
		struct pcscf_store *s = pcscf_store_open(path, t, NOW);
		assert_non_null(s);
		assert_int_equal(pcscf_regtab_count(t), 0);
		save(t, "sip:a@10.0.0.1:5060", "10.0.0.1", 1001, false, ROUTE, 5000);
		pcscf_store_close(s);
		pcscf_regtab_free(t);
		struct pcscf_store_result res;
		t = pcscf_regtab_new(64);
		assert_int_equal(pcscf_store_load(path, t, NOW, &res), 0);
		assert_int_equal(res.live, 1);
		assert_int_equal(res.bad + res.torn, 0);
		pcscf_regtab_free(t);
	}
}

static void test_store_unwritable_folder_leaves_memory_only(void **state)
{
	char missing[160];
	snprintf(missing, sizeof missing, "%s/no-such-folder/pcscf.reg", dir);
	struct pcscf_regtab *t = pcscf_regtab_new(64);
	assert_null(pcscf_store_open(missing, t, NOW));
	/* the table works, unhooked */
	save(t, "sip:a@10.0.0.1:5060", "10.0.0.1", 1001, false, ROUTE, 5000);
	assert_true(pcscf_reg_remove(t, "sip:a@10.0.0.1:5060"));
	pcscf_regtab_free(t);
}

static void test_store_expired_entries_are_dropped(void **state)
{
	struct pcscf_regtab *t = pcscf_regtab_new(64);
	struct pcscf_store *s = pcscf_store_open(path, t, 0);
	assert_non_null(s);
	save(t, "sip:a@10.0.0.1:5060", "10.0.0.1", 1001, false, ROUTE, 900);
	save(t, "sip:b@10.0.0.2:5060", "10.0.0.2", 1002, false, ROUTE, 5000);
	/* c re-registered for less time than before: the later record counts */
	save(t, "sip:c@10.0.0.3:5060", "10.0.0.3", 1003, false, ROUTE, 5000);
	save(t, "sip:c@10.0.0.3:5060", "10.0.0.3", 1003, false, ROUTE, 950);
	pcscf_store_close(s);
	pcscf_regtab_free(t);

	struct pcscf_store_result res;
	t = pcscf_regtab_new(64);
	assert_int_equal(pcscf_store_load(path, t, NOW, &res), 0);
	assert_int_equal(res.records, 4);
	assert_int_equal(res.expired, 2);
	assert_int_equal(res.live, 1);
	assert_non_null(pcscf_reg_by_contact(t, "sip:b@10.0.0.2", NOW));
	assert_null(pcscf_reg_by_contact(t, "sip:c@10.0.0.3", 0));
	pcscf_regtab_free(t);

	/* opening at NOW keeps b alone in the snapshot */
	t = pcscf_regtab_new(64);
	s = pcscf_store_open(path, t, NOW);
	assert_non_null(s);
	struct pcscf_store_stats st;
	pcscf_store_get_stats(s, &st);
	assert_int_equal(st.snapshot, 1);
	pcscf_store_close(s);
	pcscf_regtab_free(t);
}

static void test_store_full_table_makes_room_from_expired(void **state)
{
	/* the loop swept expired entries without records: replaying into a
	 * table of the same size must not refuse the later saves */
	struct pcscf_regtab *t = pcscf_regtab_new(16);
	struct pcscf_store *s = pcscf_store_open(path, t, 0);
	char contact[64], ip[32];
	assert_non_null(s);
	for (int i = 0; i < 16; i++) {
		snprintf(contact, sizeof contact, "sip:old%d@h", i);
		snprintf(ip, sizeof ip, "10.0.1.%d", i);
		save(t, contact, ip, 5060, false, "", 500);
	}
	assert_int_equal(pcscf_reg_expire(t, 600), 16);
	for (int i = 0; i < 16; i++) {
		snprintf(contact, sizeof contact, "sip:new%d@h", i);
		snprintf(ip, sizeof ip, "10.0.2.%d", i);
		save(t, contact, ip, 5060, false, "", 5000);
	}
	pcscf_store_close(s);
	pcscf_regtab_free(t);

	struct pcscf_store_result res;
	t = pcscf_regtab_new(16);
	assert_int_equal(pcscf_store_load(path, t, NOW, &res), 0);
	assert_int_equal(res.refused, 0);
	assert_int_equal(res.live, 16);
	assert_non_null(pcscf_reg_by_contact(t, "sip:new15@h", NOW));
	pcscf_regtab_free(t);
}

static void test_store_compacts_the_journal(void **state)
{
	/* the writer compacts at the real time */
	time_t now = time(NULL);
	struct pcscf_regtab *t = pcscf_regtab_new(64);
	struct pcscf_store *s = pcscf_store_open(path, t, now);
	struct pcscf_store_stats st;
	assert_non_null(s);
	pcscf_store_set_slack(s, 10);
	save(t, "sip:b@10.0.0.2:5060", "10.0.0.2", 2000, false, ROUTE, now + 5000);
	for (int i = 0; i < 300; i++) {
		save(t, "sip:a@10.0.0.1:5060", "10.0.0.1", (uint16_t)(3000 + i), false, ROUTE,
		     now + 5000 + i);
		if (i % 50 == 49)
			assert_int_equal(pcscf_store_flush(s, 5000), 0);
	}
	assert_int_equal(pcscf_store_flush(s, 5000), 0);
	pcscf_store_get_stats(s, &st);
	assert_true(st.compactions >= 1);
	assert_true(st.records - st.snapshot <= 2 * 2 + 10);
	assert_true(st.records <= 2 + 2 * 2 + 10);
	assert_int_equal(st.lost, 0);
	pcscf_store_close(s);
	pcscf_regtab_free(t);

	struct pcscf_store_result res;
	t = pcscf_regtab_new(64);
	assert_int_equal(pcscf_store_load(path, t, now, &res), 0);
	assert_int_equal(res.live, 2);
	assert_int_equal(res.bad + res.torn, 0);
	struct pcscf_reg *a = pcscf_reg_by_contact(t, "sip:a@10.0.0.1", now);
	assert_non_null(a);
	assert_int_equal(a->src_port, 3299);
	assert_int_equal(a->expires, now + 5299);
	assert_non_null(pcscf_reg_by_addr(t, "10.0.0.2", 2000, false, now));
	pcscf_regtab_free(t);
}

static void test_cfg_state_file_defaults_to_the_lab_state(void **state)
{
	struct pcscf_cfg cfg;
	char err[256], cfgpath[160];
	size_t n = strlen("/.lab/run/pcscf.reg");

	unsetenv("IMS_STATE");
	assert_int_equal(pcscf_cfg_load(&cfg, NULL, err, sizeof err), 0);
	assert_true(cfg.state_file[0] == '/');
	assert_true(strlen(cfg.state_file) > n);
	assert_string_equal(cfg.state_file + strlen(cfg.state_file) - n, "/.lab/run/pcscf.reg");

	setenv("IMS_STATE", "/tmp/some-lab", 1);
	assert_int_equal(pcscf_cfg_load(&cfg, NULL, err, sizeof err), 0);
	assert_string_equal(cfg.state_file, "/tmp/some-lab/run/pcscf.reg");
	unsetenv("IMS_STATE");

	/* relative to the file's folder; empty = in memory only */
	snprintf(cfgpath, sizeof cfgpath, "%s/pcscf.cfg", dir);
	FILE *f = fopen(cfgpath, "w");
	assert_non_null(f);
	fputs("[pcscf]\nstate_file = state/p.reg\n", f);
	fclose(f);
	assert_int_equal(pcscf_cfg_load(&cfg, cfgpath, err, sizeof err), 0);
	char want[200];
	snprintf(want, sizeof want, "%s/state/p.reg", dir);
	assert_string_equal(cfg.state_file, want);
	f = fopen(cfgpath, "w");
	assert_non_null(f);
	fputs("[pcscf]\nstate_file =\n", f);
	fclose(f);
	assert_int_equal(pcscf_cfg_load(&cfg, cfgpath, err, sizeof err), 0);
	assert_string_equal(cfg.state_file, "");
	unlink(cfgpath);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store_round_trip_keeps_every_field, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_store_torn_last_record_is_ignored, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_store_corrupt_record_in_the_middle_is_skipped,
						make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_store_garbage_never_stops_the_start, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_store_unwritable_folder_leaves_memory_only,
						make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_store_expired_entries_are_dropped, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_store_full_table_makes_room_from_expired,
						make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_store_compacts_the_journal, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_cfg_state_file_defaults_to_the_lab_state,
						make_dir, remove_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
