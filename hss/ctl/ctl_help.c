/* ctl_help — imsctl --help and imsctl COMMAND --help. */
#include "ctl.h"

#include <stdio.h>
#include <string.h>

static const char overview[] =
    "usage: imsctl [GLOBAL OPTIONS] COMMAND [ARGS] [OPTIONS]\n"
    "\n"
    "Provision subscribers in the HSS database (MariaDB) and ask the running\n"
    "HSS to de-register them.  NAME means NAME@DOMAIN (--domain, default\n"
    "open-ims.test); NAME@OTHER.DOMAIN is taken as written.\n"
    "\n"
    "commands:\n"
    "  add NAME --password PW [...]   add a subscriber (MD5 by default; AKA options)\n"
    "  delete NAME [--force]          delete a subscriber and its public identities\n"
    "  set NAME OPTIONS               change password, scheme, AKA values, barring...\n"
    "  list [PATTERN] [--registered]  subscribers, their scheme and public identities\n"
    "  show NAME|IMPU                 everything about one subscriber\n"
    "  online                         registered identities with their S-CSCF\n"
    "  deregister NAME|IMPU [--reason TEXT]\n"
    "                                 the HSS sends RTR to the serving S-CSCF\n"
    "  push NAME|IMPU                 the HSS sends the current profile (PPR)\n"
    "  flush                          the HSS forgets the subscriber data it cached\n"
    "  stats                          the running HSS's cache and SQN counters\n"
    "  calls [--last N]               the S-CSCF's call log, newest first\n"
    "  bulk-add PREFIX COUNT --password PW [--start N]\n"
    "                                 add PREFIX<N>..@DOMAIN in one transaction\n"
    "  bulk-delete PREFIX COUNT [--start N]\n"
    "                                 delete them again\n"
    "  help [COMMAND]                 this text, or a command's\n"
    "\n"
    "global options (before or after the command):\n"
    "  --domain DOMAIN      home domain of NAME (default open-ims.test)\n"
    "  --config FILE        HSS configuration to read [db] and [control] from\n"
    "                       (default $IMS_CFG/hss.cfg, else the tree's cfg/hss.cfg)\n"
    "  --db-host H --db-port P --db-user U --db-password PW --db-name DB\n"
    "                       override the database (also IMS_DB_HOST, IMS_DB_PORT,\n"
    "                       IMS_DB_USER, IMS_DB_PASSWORD, IMS_DB_NAME)\n"
    "  --socket PATH        the HSS's control socket (also IMS_HSS_CTL)\n"
    "  --help, -h           help\n"
    "\n"
    "exit status: 0 done, 1 failed (database, not found, already exists, HSS not\n"
    "running or refusing), 2 usage (bad option or value).  docs/provisioning.md\n"
    "has the details.\n";

static const char cred_opts[] =
    "  --password PW        digest password (MD5); stored as given\n"
    "  --aka-k HEX          AKA key K, 32 hex digits\n"
    "  --aka-k-ascii STR    AKA key K as 16 ASCII characters (as SIPp/PJSUA take it)\n"
    "  --op HEX | --opc HEX operator key OP or OPc, 32 hex digits (default with a K:\n"
    "                       OP of the lab, 6f70656e2d696d732d746573742d6f70)\n"
    "  --amf HEX            AMF, 4 hex digits (default 494d, the lab's \"IM\")\n"
    "  --scheme md5|aka|digest-md5\n"
    "                       default scheme (what a MAR with \"Unknown\" gets): md5 =\n"
    "                       \"SIP Digest\", aka = \"Digest-AKAv1-MD5\", digest-md5 = the\n"
    "                       legacy \"Digest-MD5\".  Default: md5 with a password,\n"
    "                       else aka.  Allowed schemes follow the credentials: both\n"
    "                       digest schemes with a password, AKA with a K.\n"
    "  --profile NAME       service profile (default \"default\")\n";

struct topic {
	const char *name;
	const char *usage;
	const char *text;
	bool cred;
};

static const struct topic topics[] = {
    {"add", "add NAME --password PW [OPTIONS]",
     "Add the subscription NAME, the private identity NAME@DOMAIN and the public\n"
     "identity sip:NAME@DOMAIN (plus --tel/--impu ones) in one implicit set,\n"
     "ready to register.  Example: imsctl add eve --password secret --tel +15550005\n"
     "\n"
     "options:\n"
     "  --tel +NUMBER        also tel:+NUMBER (repeatable)\n"
     "  --impu URI           also this sip:/sips:/tel: identity (repeatable)\n"
     "  --barred             bar every public identity added (may register, never\n"
     "                       used alone; UAR of an all-barred set is refused)\n",
     true},
    {"delete", "delete NAME [--force]",
     "Delete the subscriber NAME@DOMAIN: its public identities (unless another\n"
     "private identity shares them), the private identity, and the subscription.\n"
     "A registered subscriber is refused unless --force (de-register it first:\n"
     "imsctl deregister NAME).\n",
     false},
    {"set", "set NAME OPTIONS",
     "Change a subscriber, in one transaction.  Credentials apply at its next\n"
     "authentication; profile changes of a registered subscriber reach the S-CSCF\n"
     "with 'imsctl push NAME'.\n"
     "\n"
     "options (any number of them):\n"
     "  --sqn N              reset the AKA sequence number\n"
     "  --bar IMPU           bar a public identity (repeatable)\n"
     "  --unbar IMPU         lift the barring (repeatable)\n"
     "  --add-impu URI       add a public identity to its implicit set (repeatable)\n"
     "  --add-tel +NUMBER    add tel:+NUMBER (repeatable)\n"
     "  --remove-impu URI    remove a public identity (not the last one)\n",
     true},
    {"list", "list [PATTERN] [--registered]",
     "One line per private identity: default scheme, registered or not, public\n"
     "identities.  PATTERN keeps those whose private identity contains it (SQL LIKE:\n"
     "% and _ are wildcards); --registered keeps the registered ones.\n",
     false},
    {"show", "show NAME|IMPU",
     "The subscription, the private identity with its credentials (password, K,\n"
     "OP/OPc, AMF, SQN) and every public identity with its implicit set, service\n"
     "profile, barring, registration state and S-CSCF.\n",
     false},
    {"online", "online",
     "Every public identity the HSS holds as registered (or unregistered with an\n"
     "S-CSCF assigned for its services), with its private identity, state, S-CSCF\n"
     "and the time of the last change — as 'openserctl online' did.\n",
     false},
    {"deregister", "deregister NAME|IMPU [--reason TEXT] [--reason-code CODE]",
     "Ask the running HSS (its control socket) to send a Registration-Termination\n"
     "Request to the S-CSCF serving NAME@DOMAIN (every registered public identity)\n"
     "or the implicit set of IMPU.  The HSS marks them not registered once the\n"
     "S-CSCF answers.  Fails clearly when the HSS is not running.\n"
     "\n"
     "options:\n"
     "  --reason TEXT        Reason-Info the UE may be shown\n"
     "  --reason-code CODE   permanent_termination (default), new_server_assigned,\n"
     "                       server_change, remove_scscf, or 0-3\n",
     false},
    {"calls", "calls [--last N] [--scscf-db DB]",
     "The S-CSCF's call log (database ims_scscf, table calls): one line per\n"
     "INVITE dialog, newest first, with its Call-ID, caller, callee, start,\n"
     "answer and end times and the final status of the INVITE (empty while\n"
     "ringing).  The connection is the HSS's (host, port, user, password) with\n"
     "the S-CSCF's database.  A call is:\n"
     "  ringing              no answer, no end, no status\n"
     "  active               answered, no end\n"
     "  ended                answered and ended (BYE)\n"
     "  failed               ended with its final status (486, 487, 503 ...)\n"
     "  lost                 ENDED says \"lost\": the S-CSCF stopped following\n"
     "                       the call without seeing its end (no BYE within\n"
     "                       24 h, or the S-CSCF stopped or crashed); the time\n"
     "                       it gave up is in the table, not shown as an end\n"
     "\n"
     "options:\n"
     "  --last N             the N newest calls (default 20)\n"
     "  --scscf-db DB        the S-CSCF's database (also IMS_SCSCF_DB; default\n"
     "                       ims_scscf)\n",
     false},
    {"push", "push NAME|IMPU",
     "Ask the running HSS to send the current profile of a registered subscriber\n"
     "to its S-CSCF (Push-Profile-Request), e.g. after 'imsctl set'.\n",
     false},
    {"flush", "flush",
     "Ask the running HSS to forget the identity pairs it keeps for a moment\n"
     "([db] cache_ms, default 2 s) so that a change made with SQL counts at once,\n"
     "and the blocks of AKA sequence numbers it hands out from ([hss] sqn_block).\n"
     "add, delete, set, bulk-add and bulk-delete do this by themselves.\n",
     false},
    {"stats", "stats",
     "Print the running HSS's counters since it started, one per line:\n"
     "  cache_hits       Cx requests that found their identity pair in the cache\n"
     "  cache_misses     Cx requests that read it from the database\n"
     "  sqn_from_block   AKA MARs whose SQNs came from a block in memory\n"
     "  sqn_blocks       blocks of SQNs reserved in the database (one write each)\n",
     false},
    {"bulk-add", "bulk-add PREFIX COUNT --password PW [--start N] [--width W] [OPTIONS]",
     "Add COUNT subscribers PREFIX<N>@DOMAIN for N = start, start+1, ... (each with\n"
     "sip:PREFIX<N>@DOMAIN), all with the same credentials, in one transaction with\n"
     "batched prepared inserts: all are added or none.  Example for a benchmark:\n"
     "imsctl bulk-add user 100000 --password pw   (user1 .. user100000)\n"
     "\n"
     "options:\n"
     "  --start N            first number (default 1)\n"
     "  --width W            zero-pad numbers to W digits (user00001)\n"
     "  --barred             bar their public identities\n",
     true},
    {"bulk-delete", "bulk-delete PREFIX COUNT [--start N] [--width W] [--force]",
     "Delete PREFIX<N>@DOMAIN for the same numbers, in one transaction; missing\n"
     "ones are counted, a registered one stops it unless --force.\n",
     false},
};

static const struct topic *find(const char *name)
{
	for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++)
		if (strcmp(topics[i].name, name) == 0)
			return &topics[i];
	return NULL;
}

bool ctl_help_known(const char *cmd)
{
	return find(cmd) != NULL || strcmp(cmd, "help") == 0;
}

void ctl_help(const char *cmd)
{
	const struct topic *t = cmd ? find(cmd) : NULL;

	if (!t) {
		fputs(overview, stdout);
		return;
	}
	printf("usage: imsctl %s\n\n", t->usage);
	fputs(t->text, stdout);
	if (t->cred)
		printf("\ncredential options:\n%s", cred_opts);
	printf("\nglobal options: --domain, --config, --db-host/--db-port/--db-user/"
	       "--db-password/--db-name, --socket (imsctl --help)\n");
}
