/*
 * ims-test-as — a small application server for the integration tests, on
 * the same proxy core as the CSCFs (common/ims_sip).
 *
 * It acts as a proxying AS (TS 24.229 §5.7.4): a request the S-CSCF sends
 * it (Route: <this AS>, <S-CSCF;odi=...>) gets a header
 * "X-Test-AS: NAME" and goes on along the remaining Route, i.e. back to the
 * S-CSCF, which continues with the next iFC.  A request carrying
 * "X-Test-AS-Answer: CODE" is answered here with CODE instead (an AS that
 * terminates the request, e.g. voicemail for an unregistered user).
 *
 *   ims-test-as -p PORT [-a ADDRESS] [-n NAME] [-r RESOLV_CONF]
 *
 * Logs each request on stderr; stops on SIGTERM or SIGINT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sofia-sip/su_wait.h>

#include "ims_daemon.h"
#include "ims_log.h"
#include "ims_sip.h"

struct as {
	const char *name;
	su_root_t *root;
};

static int on_request(void *ctx, struct ims_sip_tx *tx)
{
	struct as *as = ctx;
	sip_t *sip = ims_sip_tx_request(tx);
	const char *answer = ims_sip_unknown_value(sip, "X-Test-AS-Answer");
	const char *cid = sip->sip_call_id ? sip->sip_call_id->i_id : "-";

	fprintf(stderr, "ims-test-as %s: %s %s\n", as->name, sip->sip_request->rq_method_name, cid);
	ims_sip_tx_pop_own_routes(tx);
	if (answer && sip->sip_request->rq_method != sip_method_ack)
		return atoi(answer) >= 200 && atoi(answer) < 700 ? atoi(answer) : 500;
	if (sip->sip_request->rq_method != sip_method_ack &&
	    ims_sip_unknown_add(ims_sip_tx_msg(tx), sip, "X-Test-AS", "%s", as->name) < 0)
		return 500;
	if (!sip->sip_route && sip->sip_request->rq_method != sip_method_ack)
		return 404; /* no way back to the S-CSCF */
	return ims_sip_tx_forward(tx, NULL, NULL, NULL) < 0 ? 500 : 0;
}

int main(int argc, char **argv)
{
	struct ims_sip_cfg cfg = {.listen = "127.0.0.1", .port = 0, .domain = "open-ims.test"};
	struct as as = {.name = "test-as"};
	const char *resolv = "";
	int c;

	while ((c = getopt(argc, argv, "p:a:n:r:")) != -1) {
		switch (c) {
		case 'p':
			cfg.port = atoi(optarg);
			break;
		case 'a':
			snprintf(cfg.listen, sizeof cfg.listen, "%s", optarg);
			break;
		case 'n':
			as.name = optarg;
			break;
		case 'r':
			resolv = optarg;
			break;
		default:
			fprintf(
			    stderr,
			    "usage: ims-test-as -p PORT [-a ADDRESS] [-n NAME] [-r RESOLV_CONF]\n");
			return 2;
		}
	}
	if (cfg.port <= 0 || cfg.port > 65535) {
		fprintf(stderr, "ims-test-as: -p PORT is required\n");
		return 2;
	}
	snprintf(cfg.name, sizeof cfg.name, "%s", cfg.listen);
	snprintf(cfg.resolv, sizeof cfg.resolv, "%s", resolv);
	ims_log_init("test-as", IMS_LOG_INFO, false);
	ims_daemon_block_signals();
	su_init();
	ims_log_route_sofia();
	as.root = su_root_create(NULL);
	struct ims_sip *s = NULL;
	if (as.root && ims_daemon_root_signals(as.root) == 0)
		s = ims_sip_create(as.root, &cfg, NULL, on_request, &as);
	if (!s) {
		fprintf(stderr, "ims-test-as: cannot start on %s:%d\n", cfg.listen, cfg.port);
		return 1;
	}
	fprintf(stderr, "ims-test-as %s: listening on %s:%d\n", as.name, cfg.listen, cfg.port);
	su_root_run(as.root);
	ims_sip_destroy(s);
	su_root_destroy(as.root);
	su_deinit();
	return 0;
}
