/*
 * scscf_ul — the S-CSCF's registrations ("user location"), in memory.
 *
 * One struct scscf_reg per registered implicit set, keyed by the public
 * identity that registered it (the To of the REGISTER) and found by any
 * identity of its implicit set (P-Associated-URI).  Each holds its
 * contacts (bindings): URI, header parameters (+sip.instance, reg-id ...),
 * Path, the address the REGISTER came from, Call-ID/CSeq, expiry.
 *
 * Pure data: no sofia-sip, no clock (every call that needs time takes
 * now), so the unit tests drive it directly.  Changes are reported to the
 * hooks (the write-through to MySQL, scscf_ul_db) unless hooks are NULL.
 * Used on the su_root thread only; not thread-safe.
 */
#ifndef SCSCF_UL_H
#define SCSCF_UL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SCSCF_ID_MAX 256    /* identities, Call-ID, instance */
#define SCSCF_URI_MAX 512   /* contact URI and its parameters */
#define SCSCF_PATH_MAX 1024 /* Path header value(s) */
#define SCSCF_ASSOC_MAX 16  /* identities per implicit set */
#define SCSCF_UL_WHEEL 4096 /* expiry wheel slots, one second each */

/* A binding as a REGISTER (or MySQL) gives it: plain and fixed-size, the
 * input of scscf_ul_contact_save(). */
struct scscf_binding {
	char uri[SCSCF_URI_MAX];    /* the contact URI, without <> */
	char params[SCSCF_URI_MAX]; /* header params but expires: ";+sip.instance=\"..\"" */
	char path[SCSCF_PATH_MAX];  /* "<sip:pcscf...;lr>" (comma separated), or "" */
	char received[128];         /* where the REGISTER came from: "udp:127.0.0.1:4060" */
	char call_id[SCSCF_ID_MAX];
	uint32_t cseq;
	char instance[SCSCF_ID_MAX]; /* +sip.instance value (with <>, unquoted), or "" */
	unsigned reg_id;             /* RFC 5626 reg-id, 0 when absent */
	int64_t expires;             /* absolute, Unix seconds */
};

/* A stored binding: the same fields, its strings allocated with it (a
 * contact is replaced, not edited, when it is refreshed). */
struct scscf_contact {
	struct scscf_contact *next;
	/* the expiry wheel (scscf_ul.c): the slot of expires, and the owner */
	struct scscf_contact *wnext, **wprev;
	struct scscf_reg *reg;
	const char *uri, *params, *path, *received, *call_id, *instance;
	uint32_t cseq;
	unsigned reg_id;
	int64_t expires;
};

struct scscf_reg {
	struct scscf_reg *next, *prev; /* list of every registration */
	char *impu;                    /* the identity that registered */
	char *impi;
	char *assoc[SCSCF_ASSOC_MAX]; /* implicit set, impu first */
	int n_assoc;
	char *user_data; /* IMSSubscription XML from the SAA (owned), or NULL */
	struct scscf_contact *contacts;
	int n_contacts;
	/* fingerprint of impi, assoc and user_data when reg_saved last heard
	 * of them: a profile set again unchanged is not reported again */
	uint64_t saved_fp;
};

/* Called after each change; reg/contact are borrowed for the call only. */
struct scscf_ul_hooks {
	/* new, or its identities or user data changed (not when set again the
	 * same) */
	void (*reg_saved)(void *arg, const struct scscf_reg *reg);
	void (*reg_removed)(void *arg, const struct scscf_reg *reg);
	void (*contact_saved)(void *arg, const struct scscf_reg *reg,
	                      const struct scscf_contact *c);
	void (*contact_removed)(void *arg, const struct scscf_reg *reg,
	                        const struct scscf_contact *c);
	void *arg;
};

struct scscf_ul;

/* max_contacts per registration.  Returns NULL when out of memory. */
struct scscf_ul *scscf_ul_new(int max_contacts);
/* Frees every registration without calling the hooks. */
void scscf_ul_destroy(struct scscf_ul *ul);
/* Install (or clear, with NULL) the hooks. */
void scscf_ul_set_hooks(struct scscf_ul *ul, const struct scscf_ul_hooks *hooks);

size_t scscf_ul_count(const struct scscf_ul *ul);
/* First registration (then reg->next), for walking them all. */
struct scscf_reg *scscf_ul_first(struct scscf_ul *ul);

/* The registration holding identity (its registered identity or one of its
 * implicit set), or NULL. */
struct scscf_reg *scscf_ul_find(struct scscf_ul *ul, const char *identity);

/* A new, empty registration for impu/impi (assoc = { impu }).  NULL when out
 * of memory, when a string is SCSCF_ID_MAX long or more, or when impu is
 * already held. */
struct scscf_reg *scscf_ul_add(struct scscf_ul *ul, const char *impu, const char *impi);

/* Replace the implicit set (impu is kept in it even if ids lacks it) and,
 * when user_data is not NULL, the profile XML (copied).  Returns 0, or
 * -ENOMEM / -EEXIST (an identity belongs to another registration: it is
 * skipped, the rest is applied).  The reg_saved hook is called only when
 * the identities or the user data differ from what it last heard. */
int scscf_ul_set_profile(struct scscf_ul *ul, struct scscf_reg *reg, const char *const *ids, int n,
                         const char *user_data);

/* scscf_ul_add() then scscf_ul_set_profile(), reported to reg_saved once
 * (with the profile).  NULL as scscf_ul_add(); the profile's errors are
 * those of scscf_ul_set_profile() (the rest is applied). */
struct scscf_reg *scscf_ul_add_profile(struct scscf_ul *ul, const char *impu, const char *impi,
                                       const char *const *ids, int n, const char *user_data);

/* The contact of reg that b would replace: same +sip.instance and reg-id
 * when b has an instance, else the same URI.  NULL when none. */
struct scscf_contact *scscf_ul_contact_match(struct scscf_reg *reg, const struct scscf_binding *b);

/* Insert b (copied) or replace the contact it matches.  Returns the stored
 * contact (valid until it is replaced or removed), or NULL with *err =
 * -ENOSPC (max_contacts reached) / -ENOMEM. */
struct scscf_contact *scscf_ul_contact_save(struct scscf_ul *ul, struct scscf_reg *reg,
                                            const struct scscf_binding *b, int *err);

/* The bytes c's six strings take with their NULs, and a copy of c for
 * another thread: its strings go to text (that many bytes), its links are
 * cleared. */
size_t scscf_ul_contact_text(const struct scscf_contact *c);
void scscf_ul_contact_copy(const struct scscf_contact *c, struct scscf_contact *out, char *text);

/* Remove and free one contact of reg. */
void scscf_ul_contact_remove(struct scscf_ul *ul, struct scscf_reg *reg, struct scscf_contact *c);

/* Remove and free reg with its contacts. */
void scscf_ul_remove(struct scscf_ul *ul, struct scscf_reg *reg);

/* Remove every contact whose expiry is <= now.  For each registration left
 * without contacts, gone(arg, reg) is called (e.g. to send SAR
 * TIMEOUT_DEREGISTRATION) before the registration is removed.  Returns the
 * number of contacts removed.  Called once a second, it visits only the
 * contacts filed under the seconds since the last call (a timing wheel of
 * SCSCF_UL_WHEEL one-second slots), not every registration. */
int scscf_ul_expire(struct scscf_ul *ul, int64_t now,
                    void (*gone)(void *arg, const struct scscf_reg *reg), void *arg);

#endif
