/*
 * sres_lookup — one DNS query through sofia-sip's resolver (sresolv), read
 * from a resolv.conf-style file exactly as the CSCFs read cfg/resolv.conf
 * (including sofia's "port" directive).
 *
 *   sres_lookup RESOLV_CONF naptr|srv|a NAME
 *
 * Prints one answer per line, sorted as sresolv sorts them:
 *   naptr: ORDER PREFERENCE FLAGS SERVICES REPLACEMENT
 *   srv:   PRIORITY WEIGHT PORT TARGET
 *   a:     ADDRESS
 * Exit 0 with at least one answer, 1 with none, 2 on a usage error.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <sofia-resolv/sres.h>
#include <sofia-resolv/sres_record.h>

static int print_record(const sres_record_t *r, uint16_t type)
{
	char addr[INET_ADDRSTRLEN];

	if (r->sr_record->r_status != 0 || r->sr_record->r_type != type)
		return 0;
	switch (type) {
	case sres_type_naptr:
		printf("%u %u %s %s %s\n", r->sr_naptr->na_order,
		       r->sr_naptr->na_prefer, r->sr_naptr->na_flags,
		       r->sr_naptr->na_services, r->sr_naptr->na_replace);
		return 1;
	case sres_type_srv:
		printf("%u %u %u %s\n", r->sr_srv->srv_priority,
		       r->sr_srv->srv_weight, r->sr_srv->srv_port,
		       r->sr_srv->srv_target);
		return 1;
	case sres_type_a:
		if (!inet_ntop(AF_INET, &r->sr_a->a_addr, addr, sizeof(addr)))
			return 0;
		printf("%s\n", addr);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	sres_resolver_t *res;
	sres_record_t **answers = NULL;
	uint16_t type;
	int i, n = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: %s RESOLV_CONF naptr|srv|a NAME\n", argv[0]);
		return 2;
	}
	if (strcmp(argv[2], "naptr") == 0)
		type = sres_type_naptr;
	else if (strcmp(argv[2], "srv") == 0)
		type = sres_type_srv;
	else if (strcmp(argv[2], "a") == 0)
		type = sres_type_a;
	else {
		fprintf(stderr, "%s: unknown type %s\n", argv[0], argv[2]);
		return 2;
	}

	res = sres_resolver_new(argv[1]);
	if (!res) {
		perror("sres_resolver_new");
		return 1;
	}
	if (sres_blocking_query(res, type, argv[3], 1, &answers) < 0) {
		fprintf(stderr, "%s: no answer for %s %s\n", argv[0], argv[2], argv[3]);
		sres_resolver_unref(res);
		return 1;
	}
	sres_sort_answers(res, answers);
	for (i = 0; answers && answers[i]; i++)
		n += print_record(answers[i], type);
	sres_free_answers(res, answers);
	sres_resolver_unref(res);
	return n > 0 ? 0 : 1;
}
