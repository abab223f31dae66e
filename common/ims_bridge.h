/*
 * ims_bridge — hand work from any thread (freeDiameter's) to a sofia-sip
 * su_root thread.
 *
 * The threading rule of the design: SIP objects are touched only on the
 * su_root thread.  A Diameter answer callback copies what it needs into a
 * plain heap struct and posts it; the function then runs on the root thread,
 * looks the SIP transaction up again by id and continues (or drops the event
 * when the transaction is gone).
 *
 * Implementation: a mutex-protected FIFO and an eventfd registered with the
 * root.  Posting never blocks on the SIP loop and never allocates on it.
 */
#ifndef IMS_BRIDGE_H
#define IMS_BRIDGE_H

#include <sofia-sip/su_wait.h>

struct ims_bridge;

/* Runs on the root thread; owns arg (must free it). */
typedef void (*ims_bridge_fn)(void *arg);

/* Create a bridge into root.  Call on the root's thread.  Returns NULL on
 * failure. */
struct ims_bridge *ims_bridge_create(su_root_t *root);

/* Post fn(arg) to the root thread.  Thread-safe.  Returns 0, or -1 if the
 * bridge could not queue it (out of memory): arg is then still the caller's. */
int ims_bridge_post(struct ims_bridge *b, ims_bridge_fn fn, void *arg);

/* Unregister and free.  Call on the root's thread, after every thread that
 * posts has stopped posting (freeDiameter shut down).  Work still queued is
 * run first, so that every arg is freed by its fn. */
void ims_bridge_destroy(struct ims_bridge *b);

#endif
