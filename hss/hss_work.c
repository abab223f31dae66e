/* hss_work — the database workers; see hss_work.h. */
#include "hss_work.h"

#include "ims_log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct job {
	ims_diam_handler_fn fn;
	struct msg *req;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t more; /* a job was queued, or stopping */
	struct job *ring;    /* [cap] */
	unsigned cap, head, len, max_len;
	bool running, stopping;
	_Atomic bool accepting; /* running && !stopping, read without the lock */
	pthread_t *threads;
	unsigned n_threads;
	_Atomic uint64_t queued, refused;
} w = {.lock = PTHREAD_MUTEX_INITIALIZER, .more = PTHREAD_COND_INITIALIZER};

static void *worker(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&w.lock);
		while (w.len == 0 && !w.stopping)
			pthread_cond_wait(&w.more, &w.lock);
		if (w.len == 0) { /* stopping, and nothing left */
			pthread_mutex_unlock(&w.lock);
			return NULL;
		}
		struct job j = w.ring[w.head];
		w.head = (w.head + 1) % w.cap;
		w.len--;
		pthread_mutex_unlock(&w.lock);

		struct msg *m = j.req;
		int rc = j.fn(&m, NULL);
		if (m)
			ims_diam_send_answer(&m, rc);
	}
}

int hss_work_start(unsigned n, unsigned queue_max)
{
	if (w.running || n == 0 || queue_max == 0)
		return -1;
	w.ring = calloc(queue_max, sizeof *w.ring);
	w.threads = calloc(n, sizeof *w.threads);
	if (!w.ring || !w.threads) {
		IMS_ERR("work: out of memory for %u workers", n);
		goto fail;
	}
	w.cap = queue_max;
	w.head = w.len = w.max_len = 0;
	w.stopping = false;
	for (w.n_threads = 0; w.n_threads < n; w.n_threads++) {
		int rc = pthread_create(&w.threads[w.n_threads], NULL, worker, NULL);
		if (rc) {
			IMS_ERR("work: cannot start a worker: %s", strerror(rc));
			w.running = true; /* so that stop joins the ones started */
			hss_work_stop();
			return -1;
		}
	}
	w.running = true;
	atomic_store(&w.accepting, true);
	IMS_INFO("work: %u database workers, up to %u requests waiting", n, queue_max);
	return 0;
fail:
	free(w.ring);
	free(w.threads);
	w.ring = NULL;
	w.threads = NULL;
	return -1;
}

void hss_work_stop(void)
{
	if (!w.running)
		return;
	atomic_store(&w.accepting, false);
	pthread_mutex_lock(&w.lock);
	w.stopping = true;
	pthread_cond_broadcast(&w.more);
	pthread_mutex_unlock(&w.lock);
	for (unsigned i = 0; i < w.n_threads; i++)
		pthread_join(w.threads[i], NULL);
	pthread_mutex_lock(&w.lock);
	w.running = false;
	pthread_mutex_unlock(&w.lock);
	IMS_INFO("work: %llu requests ran on a worker, %llu refused (busy), at most %u waiting",
		 (unsigned long long)atomic_load(&w.queued),
		 (unsigned long long)atomic_load(&w.refused), w.max_len);
	free(w.ring);
	free(w.threads);
	w.ring = NULL;
	w.threads = NULL;
	w.n_threads = 0;
}

bool hss_work_running(void)
{
	return atomic_load(&w.accepting);
}

int hss_work_queue(ims_diam_handler_fn fn, struct msg *req)
{
	int rc = -1;

	pthread_mutex_lock(&w.lock);
	if (w.running && !w.stopping && w.len < w.cap) {
		w.ring[(w.head + w.len) % w.cap] = (struct job){.fn = fn, .req = req};
		w.len++;
		if (w.len > w.max_len)
			w.max_len = w.len;
		pthread_cond_signal(&w.more);
		rc = 0;
	}
	pthread_mutex_unlock(&w.lock);
	atomic_fetch_add_explicit(rc == 0 ? &w.queued : &w.refused, 1, memory_order_relaxed);
	return rc;
}

void hss_work_stats(struct hss_work_stats *out)
{
	out->queued = atomic_load(&w.queued);
	out->refused = atomic_load(&w.refused);
	pthread_mutex_lock(&w.lock);
	out->max_wait = w.max_len;
	pthread_mutex_unlock(&w.lock);
}
