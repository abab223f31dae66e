/* icscf_cfg — see icscf_cfg.h. */
#include "icscf_cfg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ims_cfg.h"

#define T struct icscf_cfg
static const struct ims_cfg_key icscf_keys[] = {
	IMS_CFG_L(T, "core", "log_level", log_level, "info"),
	IMS_SIP_CFG_KEYS(T, sip, "icscf.open-ims.test", "5060"),
	IMS_CFG_S(T, "diameter", "config", diameter_conf, "icscf.fd.conf"),
	IMS_CFG_S(T, "diameter", "hss_realm", hss_realm, "open-ims.test"),
	IMS_CFG_I(T, "diameter", "timeout_ms", cx_timeout_ms, "1500", 100, 30000),
	IMS_CFG_S(T, "icscf", "scscf_list", scscf_list, "sip:scscf.open-ims.test:6060"),
	IMS_CFG_S(T, "icscf", "trusted_addresses", trusted_addresses, ""),
	IMS_CFG_END,
};
#undef T

int icscf_cfg_load(struct icscf_cfg *cfg, const char *path, char *err, size_t errlen)
{
	memset(cfg, 0, sizeof *cfg);
	if (ims_cfg_defaults(icscf_keys, cfg, err, errlen) < 0)
		return -1;
	if (!path)
		return 0;
	if (ims_cfg_load(path, icscf_keys, cfg, err, errlen) < 0)
		return -1;
	snprintf(cfg->path, sizeof cfg->path, "%s", path);
	struct icscf_scscf tmp[ICSCF_MAX_SCSCF];
	return icscf_cfg_scscfs(cfg, tmp, ICSCF_MAX_SCSCF, err, errlen) < 0 ? -1 : 0;
}

static int parse_caps(char *text, unsigned *caps, int max)
{
	int n = 0;
	for (char *save = NULL, *tok = strtok_r(text, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long v = strtoul(tok, &end, 10);
		if (*end || n >= max)
			return -1;
		caps[n++] = (unsigned)v;
	}
	return n;
}

/* The next entry of scscf_list from *pos: up to a ';' followed by another
 * sip: URI or by nothing.  Any other ';' belongs to the URI, so that an
 * entry may carry URI parameters (sip:scscf.open-ims.test:6060;transport=tcp). */
static char *next_entry(char **pos)
{
	char *start = *pos, *p;

	if (!*start)
		return NULL;
	for (p = start; *p; p++) {
		if (*p != ';')
			continue;
		const char *q = p + 1 + strspn(p + 1, " \t");
		if (!*q || strncmp(q, "sip:", 4) == 0 || strncmp(q, "sips:", 5) == 0) {
			*p = '\0';
			*pos = p + 1;
			return start;
		}
	}
	*pos = p;
	return start;
}

int icscf_cfg_scscfs(const struct icscf_cfg *cfg, struct icscf_scscf *out, int max, char *err,
		     size_t errlen)
{
	char list[sizeof cfg->scscf_list], *pos = list;
	int n = 0;

	snprintf(list, sizeof list, "%s", cfg->scscf_list);
	for (char *entry; (entry = next_entry(&pos));) {
		char uri[128] = "", mand[128] = "", opt[128] = "";
		if (sscanf(entry, " %127s %127s %127s", uri, mand, opt) < 1)
			continue;
		if (n >= max || strncmp(uri, "sip:", 4) != 0) {
			snprintf(err, errlen, "[icscf] scscf_list: '%s' is not 'sip:URI [caps] [caps]'",
				 entry);
			return -1;
		}
		struct icscf_scscf *s = &out[n];
		memset(s, 0, sizeof *s);
		snprintf(s->uri, sizeof s->uri, "%s", uri);
		s->n_mandatory = mand[0] && strcmp(mand, "-") ? parse_caps(mand, s->mandatory, 16) : 0;
		s->n_optional = opt[0] && strcmp(opt, "-") ? parse_caps(opt, s->optional, 16) : 0;
		if (s->n_mandatory < 0 || s->n_optional < 0) {
			snprintf(err, errlen, "[icscf] scscf_list: bad capability list in '%s'", entry);
			return -1;
		}
		n++;
	}
	if (n == 0) {
		snprintf(err, errlen, "[icscf] scscf_list: no S-CSCF configured");
		return -1;
	}
	return n;
}
