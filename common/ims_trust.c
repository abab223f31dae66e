/* ims_trust — see ims_trust.h. */
#include "ims_trust.h"

#include <stdio.h>
#include <string.h>

#include "ims_log.h"

static int add(struct ims_trust *t, const char *a, size_t len)
{
	if (len == 0)
		return 0;
	if (t->n >= IMS_TRUST_MAX || len >= sizeof t->addr[0])
		return -1;
	memcpy(t->addr[t->n], a, len);
	t->addr[t->n++][len] = '\0';
	return 0;
}

int ims_trust_init(struct ims_trust *t, const char *listen, const char *list)
{
	memset(t, 0, sizeof *t);
	bool wildcard = !listen || !*listen || strcmp(listen, "0.0.0.0") == 0 ||
			strcmp(listen, "::") == 0 || strcmp(listen, "*") == 0;
	if (!wildcard && add(t, listen, strlen(listen)) < 0)
		return -1;
	for (const char *p = list ? list : ""; *p;) {
		p += strspn(p, " ,\t");
		size_t len = strcspn(p, " ,\t");
		if (add(t, p, len) < 0)
			return -1;
		p += len;
	}
	if (t->n == 0) {
		t->everyone = true;
		IMS_WARN("trust: listening on a wildcard address without trusted_addresses: "
			 "requests from any source are taken as from the core");
	}
	return 0;
}

bool ims_trust_has(const struct ims_trust *t, const char *ip)
{
	if (t->everyone)
		return true;
	if (!ip || !*ip)
		return false;
	for (int i = 0; i < t->n; i++)
		if (strcmp(t->addr[i], ip) == 0)
			return true;
	return false;
}
