/*
 * scscf_reg — internals of the REGISTER pipeline shared by
 * scscf_register.c (identities, authentication) and scscf_reg_bind.c
 * (contacts, SAR, bindings, the 200).  Root thread only.
 */
#ifndef SCSCF_REG_H
#define SCSCF_REG_H

#include "scscf.h"
#include "scscf_cx.h"

/* State of one REGISTER transaction (ims_sip_tx_set_data, freed with it). */
struct reg_ctx {
	struct scscf *sc;
	uint32_t tx_id;
	char call_id[128];
	char impu[SCSCF_ID_MAX];
	char impi[SCSCF_ID_MAX];
	struct scscf_creds creds;
	bool stale;                    /* the challenge answers an unknown nonce or a replay */
	char why[SCSCF_CX_REASON_MAX]; /* reason of a failure (Warning) */
	/* the request's bindings, once authenticated */
	bool star; /* Contact: * */
	int n_contacts;
	struct scscf_binding *contacts; /* expires: relative seconds (0 = remove) */
	int sar_type;
};

/* Record why and return status (the caller answers with scscf_reg_finish). */
int scscf_reg_fail(struct reg_ctx *rc, int status, const char *why);

/* Answer tx with status (>= 200) and rc->why as a Warning; nothing for 0.
 * rc and tx are gone afterwards when status >= 200. */
void scscf_reg_finish(struct ims_sip_tx *tx, struct reg_ctx *rc, int status);

/* The transaction of a continuation and its state, or NULL when gone. */
struct ims_sip_tx *scscf_reg_find(struct scscf *sc, uint32_t id, struct reg_ctx **rc);

/* A SAR for rc's identities (freed by the caller if not sent). */
struct scscf_sar *scscf_reg_sar_new(struct reg_ctx *rc, int type,
                                    void (*done)(struct scscf_sar *s));

/* Authenticated: plan the bindings, SAR, store, answer 200.  Returns 0
 * (pending or answered) or a status. */
int scscf_reg_authorized(struct reg_ctx *rc, struct ims_sip_tx *tx);

#endif
