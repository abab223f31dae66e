/* ims_bridge — see ims_bridge.h. */
#include "ims_bridge.h"

#include "ims_log.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct bridge_item {
	struct bridge_item *next;
	ims_bridge_fn fn;
	void *arg;
};

struct ims_bridge {
	su_root_t *root;
	su_wait_t wait;
	int index; /* su_root_register() result */
	int efd;
	pthread_mutex_t lock;
	struct bridge_item *head, **tail;
};

/* Take the whole queue under the lock, run it outside. */
static void bridge_drain(struct ims_bridge *b)
{
	pthread_mutex_lock(&b->lock);
	struct bridge_item *it = b->head;
	b->head = NULL;
	b->tail = &b->head;
	pthread_mutex_unlock(&b->lock);

	while (it) {
		struct bridge_item *next = it->next;
		it->fn(it->arg);
		free(it);
		it = next;
	}
}

static int bridge_wakeup(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct ims_bridge *b = (struct ims_bridge *)arg;
	uint64_t count;
	if (read(b->efd, &count, sizeof count) < 0 && errno != EAGAIN)
		IMS_ERR("bridge: eventfd read: %s", strerror(errno));
	bridge_drain(b);
	return 0;
}

struct ims_bridge *ims_bridge_create(su_root_t *root)
{
	struct ims_bridge *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	b->root = root;
	b->tail = &b->head;
	pthread_mutex_init(&b->lock, NULL);
	b->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (b->efd < 0)
		goto fail;
	if (su_wait_create(&b->wait, b->efd, SU_WAIT_IN) < 0)
		goto fail;
	b->index = su_root_register(root, &b->wait, bridge_wakeup, (su_wakeup_arg_t *)b, 0);
	if (b->index < 0) {
		su_wait_destroy(&b->wait);
		goto fail;
	}
	return b;
fail:
	IMS_ERR("bridge: cannot create: %s", strerror(errno));
	if (b->efd >= 0)
		close(b->efd);
	pthread_mutex_destroy(&b->lock);
	free(b);
	return NULL;
}

int ims_bridge_post(struct ims_bridge *b, ims_bridge_fn fn, void *arg)
{
	struct bridge_item *it = malloc(sizeof *it);
	if (!it)
		return -1;
	it->next = NULL;
	it->fn = fn;
	it->arg = arg;

	pthread_mutex_lock(&b->lock);
	bool was_empty = b->head == NULL;
	*b->tail = it;
	b->tail = &it->next;
	pthread_mutex_unlock(&b->lock);

	if (was_empty) {
		uint64_t one = 1;
		if (write(b->efd, &one, sizeof one) < 0)
			IMS_ERR("bridge: eventfd write: %s", strerror(errno));
	}
	return 0;
}

void ims_bridge_destroy(struct ims_bridge *b)
{
	if (!b)
		return;
	su_root_deregister(b->root, b->index); /* also destroys b->wait */
	bridge_drain(b);
	close(b->efd);
	pthread_mutex_destroy(&b->lock);
	free(b);
}
