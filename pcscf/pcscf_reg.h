/*
 * pcscf_reg — what the P-CSCF saw at registration (TS 24.229 §5.2.2):
 * per UE contact, the address it registered from, its public identities
 * (P-Associated-URI), the Service-Route and the expiry.  In memory, on the
 * SIP loop's thread; two hash indexes (UE address, contact URI).  Hooks
 * tell a store of every change (pcscf_store.h keeps the table in a state
 * file across restarts).
 */
#ifndef PCSCF_REG_H
#define PCSCF_REG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct pcscf_reg {
	struct pcscf_reg *next_addr, *next_contact; /* hash chains */
	time_t expires;
	uint32_t size; /* bytes allocated, blob included */
	uint16_t src_port;
	bool tcp;
	char src_ip[46];
	const char *contact_key;   /* "user@host:port" of the Contact */
	const char *contact;       /* the Contact URI as registered */
	const char *impus;         /* P-Associated-URI value: "<sip:a@d>, <tel:+1>" */
	const char *asserted;      /* the default public identity, without <> */
	const char *service_route; /* Service-Route value, "" when none */
	char blob[];               /* the strings above live here */
};

struct pcscf_regtab;

struct pcscf_regtab *pcscf_regtab_new(unsigned max_entries);
void pcscf_regtab_free(struct pcscf_regtab *t);
unsigned pcscf_regtab_count(const struct pcscf_regtab *t);
unsigned pcscf_regtab_max(const struct pcscf_regtab *t);

/* Told of every change pcscf_reg_save() and pcscf_reg_remove() make, on
 * the table's thread, after the change (removed: before the entry is
 * freed).  Not of expiry: an expired entry is as good as gone for a store
 * too.  r is borrowed for the call. */
struct pcscf_reg_hooks {
	void (*saved)(void *arg, const struct pcscf_reg *r);
	void (*removed)(void *arg, const struct pcscf_reg *r);
	void *arg;
};
/* hooks is copied; NULL: none. */
void pcscf_regtab_set_hooks(struct pcscf_regtab *t, const struct pcscf_reg_hooks *hooks);

/* fn(arg, r) for every entry, expired ones included, until fn returns
 * non-zero; returns that value or 0.  fn must not change the table. */
int pcscf_reg_foreach(struct pcscf_regtab *t, int (*fn)(void *arg, const struct pcscf_reg *r),
		      void *arg);

/* Insert or replace the entry of contact.  Strings are copied.
 * Returns the entry (owned by the table) or NULL (full / no memory). */
struct pcscf_reg *pcscf_reg_save(struct pcscf_regtab *t, const char *contact,
				 const char *src_ip, uint16_t src_port, bool tcp,
				 const char *impus, const char *service_route, time_t expires);
/* Forget contact; returns true if it was there. */
bool pcscf_reg_remove(struct pcscf_regtab *t, const char *contact);

/* Lookups; an expired entry is not returned.  Borrowed. */
struct pcscf_reg *pcscf_reg_by_addr(struct pcscf_regtab *t, const char *ip, uint16_t port,
				    bool tcp, time_t now);
struct pcscf_reg *pcscf_reg_by_contact(struct pcscf_regtab *t, const char *contact, time_t now);

/* Remove every entry expired at now; returns how many. */
unsigned pcscf_reg_expire(struct pcscf_regtab *t, time_t now);

/* True if impu ("sip:alice@open-ims.test" or "tel:+1...") is one of reg's
 * public identities. */
bool pcscf_reg_has_impu(const struct pcscf_reg *reg, const char *impu);

/* "user@host:port" of a contact URI string into buf; 0 or -1. */
int pcscf_contact_key(const char *contact, char *buf, size_t len);

#endif
