/*
 * hss_ctl — the HSS's control channel: a Unix stream socket (cfg [control]
 * socket) on which an operator's tool (scripts/imsctl) asks for RTR and
 * PPR.  Local only: the socket file is created mode 0660 and a client
 * must be able to open it.  Protocol: hss/README.md.
 */
#ifndef HSS_CTL_H
#define HSS_CTL_H

#include <stddef.h>

/* Listen on path and serve requests on a thread of its own.  "" disables
 * the channel.  Returns 0, or -1 (another HSS listens there, or the
 * socket cannot be made). */
int hss_ctl_start(const char *path);
void hss_ctl_stop(void);

/* Run one command line (without the newline) and write the one-line reply
 * (without newline) into out.  Exposed for tests. */
void hss_ctl_execute(const char *line, char *out, size_t len);

#endif
