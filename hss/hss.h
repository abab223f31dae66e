/*
 * hss — the HSS daemon's library: hss_init() brings up the database pool,
 * the Diameter node with the Cx handlers and the control channel;
 * hss_fini() takes them down.  main.c only parses arguments, loads the
 * configuration and waits for a signal in between.
 */
#ifndef HSS_H
#define HSS_H

#include "hss_cfg.h"

/* cfg must outlive hss_fini().  Returns 0 or -1 (logged; call hss_fini()). */
int hss_init(const struct hss_cfg *cfg);
void hss_fini(void);

#endif
