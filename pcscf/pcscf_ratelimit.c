/* pcscf_ratelimit — see pcscf_ratelimit.h. */
#include "pcscf_ratelimit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ims_log.h"
#include "ims_sip.h"

#define RL_PROBE 8
#define RL_EXEMPT_MAX 16
#define RL_IP_MAX 64
#define RL_RETRY_AFTER "1"

struct rl_slot {
	char ip[RL_IP_MAX]; /* "" = free */
	int64_t tokens;     /* thousandths of a token */
	int64_t last_ms;    /* last refill */
};

struct pcscf_ratelimit {
	int rate;
	unsigned n;
	char exempt[RL_EXEMPT_MAX][RL_IP_MAX];
	int n_exempt;
	unsigned long refused; /* total, for the log */
	struct rl_slot slots[];
};

static uint32_t hash_ip(const char *ip)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *ip; ip++)
		h = (h ^ (uint8_t)*ip) * 16777619u;
	return h;
}

struct pcscf_ratelimit *pcscf_ratelimit_new(int rate, unsigned slots, const char *exempt)
{
	if (rate <= 0 || slots == 0)
		return NULL;
	struct pcscf_ratelimit *rl = calloc(1, sizeof *rl + slots * sizeof rl->slots[0]);
	if (!rl)
		return NULL;
	rl->rate = rate;
	rl->n = slots;
	for (const char *p = exempt ? exempt : ""; *p && rl->n_exempt < RL_EXEMPT_MAX;) {
		size_t skip = strspn(p, " ,\t"), len;
		p += skip;
		len = strcspn(p, " ,\t");
		if (len > 0 && len < RL_IP_MAX) {
			memcpy(rl->exempt[rl->n_exempt], p, len);
			rl->exempt[rl->n_exempt++][len] = '\0';
		}
		p += len;
	}
	return rl;
}

void pcscf_ratelimit_free(struct pcscf_ratelimit *rl)
{
	free(rl);
}

static struct rl_slot *slot_of(struct pcscf_ratelimit *rl, const char *ip, int64_t now_ms)
{
	uint32_t h = hash_ip(ip);
	struct rl_slot *oldest = NULL;
	for (unsigned i = 0; i < RL_PROBE && i < rl->n; i++) {
		struct rl_slot *s = &rl->slots[(h + i) % rl->n];
		if (s->ip[0] && strcmp(s->ip, ip) == 0)
			return s;
		if (!s->ip[0] || !oldest || (oldest->ip[0] && s->last_ms < oldest->last_ms))
			oldest = s;
		if (!s->ip[0])
			break;
	}
	/* a new source, in a free slot or the least recently seen one */
	snprintf(oldest->ip, sizeof oldest->ip, "%s", ip);
	oldest->tokens = (int64_t)rl->rate * 1000;
	oldest->last_ms = now_ms;
	return oldest;
}

enum pcscf_rl_verdict pcscf_ratelimit_check(struct pcscf_ratelimit *rl, const char *ip,
					    int64_t now_ms)
{
	if (!rl || !ip || !ip[0] || strlen(ip) >= RL_IP_MAX)
		return PCSCF_RL_PASS;
	for (int i = 0; i < rl->n_exempt; i++)
		if (strcmp(rl->exempt[i], ip) == 0)
			return PCSCF_RL_PASS;
	struct rl_slot *s = slot_of(rl, ip, now_ms);
	int64_t cap = (int64_t)rl->rate * 1000;
	if (now_ms > s->last_ms) {
		int64_t elapsed = now_ms - s->last_ms;
		/* rate tokens per second = rate thousandths per millisecond */
		s->tokens = elapsed >= 1000 ? cap : s->tokens + elapsed * rl->rate;
		if (s->tokens > cap)
			s->tokens = cap;
		s->last_ms = now_ms;
	}
	if (s->tokens >= 1000) {
		s->tokens -= 1000;
		return PCSCF_RL_PASS;
	}
	return PCSCF_RL_REFUSE;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool pcscf_ratelimit_refused(struct pcscf_ratelimit *rl, struct ims_sip_tx *tx)
{
	if (!rl)
		return false;
	const char *ip = ims_sip_tx_source_ip(tx);
	enum pcscf_rl_verdict v = pcscf_ratelimit_check(rl, ip, mono_ms());
	if (v == PCSCF_RL_PASS)
		return false;
	rl->refused++;
	/* log the first refusal of each thousand: a flood must not flood the log */
	if (rl->refused % 1000 == 1)
		IMS_WARN("rate limit: %s over %d requests/s: 503 (%lu refused so far)", ip,
			 rl->rate, rl->refused);
	if (ims_sip_tx_request(tx)->sip_request->rq_method == sip_method_ack)
		return true; /* nothing to answer; the engine ends it */
	ims_sip_tx_reply(tx, 503, "Service Unavailable - rate limit",
			 SIPTAG_RETRY_AFTER_STR(RL_RETRY_AFTER), TAG_END());
	return true;
}
