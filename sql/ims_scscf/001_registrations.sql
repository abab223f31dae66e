-- ims_scscf: the S-CSCF's registrations, written through from memory
-- (scscf/scscf_ul_db.c) and read back at start, so that a restarted
-- S-CSCF still knows every binding.

-- One row per registered implicit set, keyed by the public identity that
-- registered it.
CREATE TABLE registration (
	impu VARCHAR(255) NOT NULL PRIMARY KEY,
	impi VARCHAR(255) NOT NULL,
	-- the implicit registration set (P-Associated-URI), one identity a line
	associated TEXT NOT NULL,
	-- the IMSSubscription XML of the last SAA
	user_data MEDIUMTEXT NULL,
	updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP
) ENGINE = InnoDB;

-- The bindings of each registration.  ckey = MD5 of the +sip.instance and
-- reg-id when the UE sent an instance, else of the contact URI.
CREATE TABLE contact (
	impu VARCHAR(255) NOT NULL,
	ckey CHAR(32) NOT NULL,
	uri VARCHAR(511) NOT NULL,
	params VARCHAR(511) NOT NULL DEFAULT '',
	path VARCHAR(1023) NOT NULL DEFAULT '',
	received VARCHAR(127) NOT NULL DEFAULT '',
	call_id VARCHAR(255) NOT NULL DEFAULT '',
	cseq INT UNSIGNED NOT NULL DEFAULT 0,
	instance VARCHAR(255) NOT NULL DEFAULT '',
	reg_id INT UNSIGNED NOT NULL DEFAULT 0,
	-- absolute expiry, Unix seconds
	expires BIGINT NOT NULL,
	PRIMARY KEY (impu, ckey),
	KEY contact_expires (expires)
) ENGINE = InnoDB;
