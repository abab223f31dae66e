/* Unit tests: common/ims_slab, the allocator for long-lived entries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ims_slab.h"

static void test_freed_entry_is_reused_by_the_same_size_class(void **state)
{
	struct ims_slab *s = ims_slab_new();
	char *a = ims_slab_alloc(s, 300);
	assert_non_null(a);
	memset(a, 0xab, 300);
	ims_slab_free(s, a, 300);
	/* 290 rounds to the same 32-byte class as 300 */
	assert_ptr_equal(ims_slab_alloc(s, 290), a);
	ims_slab_destroy(s);
}

static void test_entries_do_not_overlap_and_keep_their_bytes(void **state)
{
	struct ims_slab *s = ims_slab_new();
	enum { N = 2000 };
	static char *p[N];
	for (int i = 0; i < N; i++) {
		size_t size = 1 + (size_t)(i * 37) % 900;
		p[i] = ims_slab_alloc(s, size);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % 16, 0);
		memset(p[i], i & 0xff, size);
	}
	for (int i = 0; i < N; i++) {
		size_t size = 1 + (size_t)(i * 37) % 900;
		for (size_t k = 0; k < size; k++)
			assert_int_equal((unsigned char)p[i][k], i & 0xff);
	}
	ims_slab_destroy(s);
}

static void test_memory_is_mapped_only_as_needed(void **state)
{
	struct ims_slab *s = ims_slab_new();
	assert_int_equal(ims_slab_mapped(s), 0);
	void *a = ims_slab_alloc(s, 100);
	size_t one = ims_slab_mapped(s);
	assert_true(one > 0);
	/* a churn of alloc/free of one size maps nothing more */
	for (int i = 0; i < 100000; i++) {
		ims_slab_free(s, a, 100);
		a = ims_slab_alloc(s, 100);
	}
	assert_int_equal(ims_slab_mapped(s), one);
	ims_slab_destroy(s);
}

static void test_large_sizes_fall_back_to_malloc(void **state)
{
	struct ims_slab *s = ims_slab_new();
	char *big = ims_slab_alloc(s, IMS_SLAB_MAX + 1);
	assert_non_null(big);
	memset(big, 1, IMS_SLAB_MAX + 1);
	assert_int_equal(ims_slab_mapped(s), 0);
	ims_slab_free(s, big, IMS_SLAB_MAX + 1); /* ASan checks it was malloc's */
	ims_slab_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_freed_entry_is_reused_by_the_same_size_class),
		cmocka_unit_test(test_entries_do_not_overlap_and_keep_their_bytes),
		cmocka_unit_test(test_memory_is_mapped_only_as_needed),
		cmocka_unit_test(test_large_sizes_fall_back_to_malloc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
