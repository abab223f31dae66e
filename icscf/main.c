/* ims-icscf: placeholder main until the daemon's library exists. */
#include "ims_daemon.h"
int main(int argc, char **argv)
{
	struct ims_daemon_opts opts;
	return ims_daemon_parse_args(argc, argv, "icscf", &opts) < 0 ? 2 : 0;
}
