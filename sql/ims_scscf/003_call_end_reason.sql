-- ims_scscf version 3: how each call's row was closed, and which S-CSCF
-- wrote it (scscf/scscf_calllog.c).
--
-- Before this version a call the S-CSCF stopped following without an end
-- (answered but never BYE'd: a UE that crashed, a BYE lost, forgotten after
-- 24 h; or ringing/answered when the S-CSCF stopped, restarted or crashed)
-- kept ended_at NULL for ever, and every reader ('imsctl calls',
-- 'scripts/lab status') showed it in progress.  Now such a row is closed
-- with end_reason 'lost':
--   - when the S-CSCF forgets a call after 24 h without BYE;
--   - when the S-CSCF stops cleanly, for the calls it still follows (if its
--     writer gets to it within its 2 s stop deadline);
--   - when an S-CSCF starts, for its own rows still open (a crash, or a stop
--     that could not write them), before it logs any new call.
-- For a 'lost' row ended_at is NOT the end of the call, which nobody saw: it
-- is when the S-CSCF gave up following the call (the 24 h expiry, its stop,
-- or its next start).  It is set so that "ended_at IS NULL" keeps meaning
-- "in progress" for every reader; 'imsctl calls' prints "lost" there rather
-- than that time.
ALTER TABLE calls
	-- the S-CSCF that wrote the row: its [scscf] server_name.  NULL for the
	-- rows written before this version (one S-CSCF per database, as for the
	-- registrations: the next S-CSCF to start takes them as its own).
	ADD COLUMN scscf VARCHAR(255) NULL AFTER id,
	-- how the row was closed: 'bye' (BYE in the dialog), 'failed' (a final
	-- failure to the INVITE; status says which), 'lost' (see above); NULL
	-- while the call is in progress.
	ADD COLUMN end_reason ENUM('bye', 'failed', 'lost') NULL AFTER status,
	-- the open rows, found at start and by 'scripts/lab status'
	ADD KEY calls_ended (ended_at);

-- Rows already closed: an answered call was ended by its BYE, an unanswered
-- one by its failure (the writer never set ended_at otherwise).  Rows still
-- open are left as they are (the S-CSCF that wrote them may still be running
-- and see their end); the next S-CSCF to start closes those still open as
-- 'lost'.
UPDATE calls SET end_reason = IF(answered_at IS NULL, 'failed', 'bye')
	WHERE ended_at IS NOT NULL;
