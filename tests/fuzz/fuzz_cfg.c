/*
 * fuzz_cfg — the configuration reader: the fuzz bytes as each daemon's
 * configuration file (pcscf_cfg_load, icscf_cfg_load and its S-CSCF list,
 * scscf_cfg_load, hss_cfg_load: libinih, the key tables, ${VAR:-default}
 * expansion, number and boolean parsing, error messages).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hss_cfg.h"
#include "icscf.h"
#include "ims_log.h"
#include "pcscf_cfg.h"
#include "scscf_cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	static struct pcscf_cfg pc;
	static struct icscf_cfg ic;
	static struct icscf_scscf list[ICSCF_MAX_SCSCF];
	static struct scscf_cfg sc;
	static struct hss_cfg hs;
	char err[512];

	if (fd < 0) {
		ims_log_init("fuzz", IMS_LOG_ERROR, false);
		fd = memfd_create("fuzz_cfg", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		setenv("FUZZ_SET", "set", 1);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	pcscf_cfg_load(&pc, path, err, sizeof err);
	if (icscf_cfg_load(&ic, path, err, sizeof err) == 0)
		icscf_cfg_scscfs(&ic, list, ICSCF_MAX_SCSCF, err, sizeof err);
	scscf_cfg_load(path, &sc, err, sizeof err);
	hss_cfg_load(path, &hs, err, sizeof err);
	return 0;
}
