/*
 * pcscf_ratelimit — a per-source request rate limit at the P-CSCF
 * ([pcscf] rate_limit = N requests/s per source IP address, 0 = off).
 *
 * A token bucket per source address: N tokens per second, holding at most
 * N (a one-second burst).  Only new transactions cost a token: nta answers
 * retransmissions of a request it has seen from its own transaction state
 * before they reach the P-CSCF, so a UE's retransmissions never count.
 *
 * Over the limit a request gets 503 Service Unavailable with Retry-After
 * (RFC 3261 §21.5.4): a well-behaved UE waits, and nta absorbs the
 * request's retransmissions by resending the 503 at no further cost to
 * us; an ACK (which cannot be answered) is ignored.  Why not drop the
 * others silently: sofia-sip's nta cannot end a server transaction
 * without a final response (nta_incoming_destroy() answers 500 to an
 * unanswered request), so a "drop" would either keep the transaction's
 * state until a timeout or still send a 500; the 503 costs the same, says
 * why, and is no larger than the request (no amplification towards a
 * forged UDP source).
 * The core ([sip] listen, [pcscf] trusted_addresses: it carries every
 * UE's terminating traffic) and the addresses in [pcscf] rate_limit_exempt
 * are never limited.
 *
 * The table is bounded: a fixed number of slots, open addressing with a
 * short probe; when every probed slot holds another address, the least
 * recently seen one is replaced (an idle source's bucket is full anyway).
 * Root thread only.
 */
#ifndef PCSCF_RATELIMIT_H
#define PCSCF_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ims_sip_tx;
struct pcscf_ratelimit;

enum pcscf_rl_verdict {
	PCSCF_RL_PASS = 0, /* within the limit */
	PCSCF_RL_REFUSE,   /* over: answer 503 + Retry-After (ACK: ignore) */
};

/* rate requests/s per source (> 0); slots: addresses tracked at once;
 * exempt: addresses never limited, separated by spaces or commas (may be
 * NULL).  NULL when out of memory. */
struct pcscf_ratelimit *pcscf_ratelimit_new(int rate, unsigned slots, const char *exempt);
void pcscf_ratelimit_free(struct pcscf_ratelimit *rl);

/* The verdict for one new request from ip at now_ms (a monotonic clock in
 * milliseconds). */
enum pcscf_rl_verdict pcscf_ratelimit_check(struct pcscf_ratelimit *rl, const char *ip,
					    int64_t now_ms);

/* The hook of pcscf_request(): true when tx was over the limit and has
 * been answered (503; an ACK: ignored); false (go on) otherwise, or when
 * rl is NULL (no limit configured). */
bool pcscf_ratelimit_refused(struct pcscf_ratelimit *rl, struct ims_sip_tx *tx);

#endif
