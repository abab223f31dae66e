-- ims_scscf version 2: the call log.  One row per INVITE dialog the
-- S-CSCF routed (scscf/scscf_calllog.c, written from its writer thread);
-- listed by `scripts/imsctl calls`.
CREATE TABLE calls (
	-- unique per S-CSCF: start time (ms) and a counter
	id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
	call_id VARCHAR(255) NOT NULL,
	-- the served caller (P-Asserted-Identity) and the Request-URI called
	caller VARCHAR(255) NOT NULL,
	callee VARCHAR(255) NOT NULL,
	started_at DATETIME(3) NOT NULL,
	-- the first 2xx to the INVITE
	answered_at DATETIME(3) NULL,
	-- BYE, or the failure that ended an unanswered call
	ended_at DATETIME(3) NULL,
	-- final status of the INVITE (200, 486, 487 ...); NULL while ringing
	status SMALLINT UNSIGNED NULL,
	KEY calls_started (started_at),
	KEY calls_call_id (call_id)
) ENGINE = InnoDB;
