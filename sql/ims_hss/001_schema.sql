-- ims_hss schema, version 1: the HSS's subscriber database (TS 29.228 data
-- model, after OpenIMSCore FHoSS's hss_db but smaller).
--
-- Applied once by scripts/db into the database ims_hss; a later change is a
-- new file 002_..., 003_... (never edit an applied file).  InnoDB, utf8mb4.
-- Binary credentials are stored as lower-case hex text so that the mariadb
-- client and scripts/imsctl can read and write them without escaping.

-- A subscription (IMSU): owns private and public identities.
CREATE TABLE imsu (
	id INT UNSIGNED NOT NULL AUTO_INCREMENT,
	name VARCHAR(255) NOT NULL,
	-- capabilities the subscriber needs from its S-CSCF (UAA with
	-- REGISTRATION_AND_CAPABILITIES or no S-CSCF assigned); NULL: none
	capability_set INT UNSIGNED NULL,
	created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (id),
	UNIQUE KEY uk_imsu_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A private identity (IMPI, the Digest username / NAI).
--   auth_schemes: the SIP-Authentication-Scheme values the HSS serves;
--   default_auth_scheme: what a MAR with "Unknown" gets.
--   Digest: password (clear) or ha1 = MD5(identity:realm:password) in hex;
--   when both are set the password wins.
--   AKA: k, op or opc (32 hex chars each), amf (4 hex), sqn (48-bit, the
--   last SQN handed out; the next vector uses sqn + 1).
CREATE TABLE impi (
	id INT UNSIGNED NOT NULL AUTO_INCREMENT,
	imsu_id INT UNSIGNED NOT NULL,
	identity VARCHAR(255) NOT NULL,
	auth_schemes SET('Digest-AKAv1-MD5', 'SIP Digest', 'Digest-MD5')
		NOT NULL DEFAULT 'Digest-AKAv1-MD5,SIP Digest,Digest-MD5',
	default_auth_scheme ENUM('Digest-AKAv1-MD5', 'SIP Digest', 'Digest-MD5')
		NOT NULL DEFAULT 'SIP Digest',
	password VARCHAR(255) NULL,
	ha1 CHAR(32) NULL,
	k CHAR(32) NULL,
	op CHAR(32) NULL,
	opc CHAR(32) NULL,
	amf CHAR(4) NOT NULL DEFAULT '0000',
	sqn BIGINT UNSIGNED NOT NULL DEFAULT 0,
	created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (id),
	UNIQUE KEY uk_impi_identity (identity),
	KEY k_impi_imsu (imsu_id),
	CONSTRAINT fk_impi_imsu FOREIGN KEY (imsu_id) REFERENCES imsu (id) ON DELETE CASCADE,
	CONSTRAINT ck_impi_ha1 CHECK (ha1 IS NULL OR ha1 REGEXP '^[0-9a-f]{32}$'),
	CONSTRAINT ck_impi_k CHECK (k IS NULL OR k REGEXP '^[0-9a-f]{32}$'),
	CONSTRAINT ck_impi_op CHECK (op IS NULL OR op REGEXP '^[0-9a-f]{32}$'),
	CONSTRAINT ck_impi_opc CHECK (opc IS NULL OR opc REGEXP '^[0-9a-f]{32}$'),
	CONSTRAINT ck_impi_amf CHECK (amf REGEXP '^[0-9a-f]{4}$'),
	CONSTRAINT ck_impi_sqn CHECK (sqn < 281474976710656)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Application servers that initial filter criteria point to.
--   default_handling: 0 SESSION_CONTINUED, 1 SESSION_TERMINATED.
CREATE TABLE application_server (
	id INT UNSIGNED NOT NULL AUTO_INCREMENT,
	name VARCHAR(255) NOT NULL,
	server_name VARCHAR(255) NOT NULL,
	default_handling TINYINT UNSIGNED NOT NULL DEFAULT 0,
	service_info VARCHAR(1024) NULL,
	PRIMARY KEY (id),
	UNIQUE KEY uk_as_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Service profiles: a named set of initial filter criteria.
CREATE TABLE service_profile (
	id INT UNSIGNED NOT NULL AUTO_INCREMENT,
	name VARCHAR(255) NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY uk_sp_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Initial filter criteria.  The trigger point is the rows of ifc_spt grouped
-- by group_id: condition_type_cnf = 1 means conjunctive normal form (an AND
-- of groups, each an OR of its SPTs), 0 disjunctive (an OR of groups, each
-- an AND), as TS 29.228's ConditionTypeCNF.  No SPT rows: no TriggerPoint
-- (the iFC always matches).
--   profile_part_indicator: NULL (both), 0 REGISTERED, 1 UNREGISTERED.
CREATE TABLE ifc (
	id INT UNSIGNED NOT NULL AUTO_INCREMENT,
	name VARCHAR(255) NOT NULL,
	application_server_id INT UNSIGNED NOT NULL,
	condition_type_cnf TINYINT(1) NOT NULL DEFAULT 0,
	profile_part_indicator TINYINT UNSIGNED NULL,
	PRIMARY KEY (id),
	UNIQUE KEY uk_ifc_name (name),
	CONSTRAINT fk_ifc_as FOREIGN KEY (application_server_id)
		REFERENCES application_server (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Service point triggers.  type says which of the value columns is used:
--   request_uri (value), method (value), header (header, value),
--   session_case (value: 0 ORIGINATING, 1 TERMINATING_REGISTERED,
--   2 TERMINATING_UNREGISTERED, 3 ORIGINATING_UNREGISTERED,
--   4 ORIGINATING_CDIV), session_description (header = line, value = content).
CREATE TABLE ifc_spt (
	id INT UNSIGNED NOT NULL AUTO_INCREMENT,
	ifc_id INT UNSIGNED NOT NULL,
	group_id INT UNSIGNED NOT NULL DEFAULT 0,
	condition_negated TINYINT(1) NOT NULL DEFAULT 0,
	type ENUM('request_uri', 'method', 'header', 'session_case', 'session_description')
		NOT NULL,
	header VARCHAR(255) NULL,
	value VARCHAR(255) NULL,
	PRIMARY KEY (id),
	KEY k_spt_ifc (ifc_id),
	CONSTRAINT fk_spt_ifc FOREIGN KEY (ifc_id) REFERENCES ifc (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Which iFCs a service profile has, with their priority (lower first).
CREATE TABLE service_profile_ifc (
	service_profile_id INT UNSIGNED NOT NULL,
	ifc_id INT UNSIGNED NOT NULL,
	priority INT NOT NULL DEFAULT 0,
	PRIMARY KEY (service_profile_id, ifc_id),
	CONSTRAINT fk_spi_sp FOREIGN KEY (service_profile_id)
		REFERENCES service_profile (id) ON DELETE CASCADE,
	CONSTRAINT fk_spi_ifc FOREIGN KEY (ifc_id) REFERENCES ifc (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A public identity (IMPU): SIP URI, tel URI, or a PSI.
--   identity_type: 'public_user' (sip: or tel:), 'psi' (distinct PSI),
--   'wildcard_psi' (wildcard holds a POSIX regular expression matched by
--   REGEXP against the requested identity, e.g. '^sip:conf-[0-9]+@open-ims\\.test$').
--   implicit_set: identities with the same number are registered together
--   (the seed uses the imsu id; a new set takes MAX(implicit_set) + 1).
--   barring: 1 = barred (may register as part of its set, never used alone).
--   can_register: 0 for identities that are never registered (PSIs).
--   reg_state/scscf_name: kept by SAR; the S-CSCF serving the identity.
CREATE TABLE impu (
	id INT UNSIGNED NOT NULL AUTO_INCREMENT,
	identity VARCHAR(255) NOT NULL,
	identity_type ENUM('public_user', 'psi', 'wildcard_psi') NOT NULL DEFAULT 'public_user',
	wildcard VARCHAR(255) NULL,
	implicit_set INT UNSIGNED NOT NULL,
	service_profile_id INT UNSIGNED NOT NULL,
	barring TINYINT(1) NOT NULL DEFAULT 0,
	can_register TINYINT(1) NOT NULL DEFAULT 1,
	reg_state ENUM('not_registered', 'registered', 'unregistered')
		NOT NULL DEFAULT 'not_registered',
	scscf_name VARCHAR(255) NULL,
	origin_host VARCHAR(255) NULL,
	origin_realm VARCHAR(255) NULL,
	updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
	PRIMARY KEY (id),
	UNIQUE KEY uk_impu_identity (identity),
	KEY k_impu_set (implicit_set),
	KEY k_impu_scscf (scscf_name),
	CONSTRAINT fk_impu_sp FOREIGN KEY (service_profile_id) REFERENCES service_profile (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Which public identities a private identity may use (many to many: a
-- public identity may be shared by several private identities).
CREATE TABLE impi_impu (
	impi_id INT UNSIGNED NOT NULL,
	impu_id INT UNSIGNED NOT NULL,
	PRIMARY KEY (impi_id, impu_id),
	KEY k_ii_impu (impu_id),
	CONSTRAINT fk_ii_impi FOREIGN KEY (impi_id) REFERENCES impi (id) ON DELETE CASCADE,
	CONSTRAINT fk_ii_impu FOREIGN KEY (impu_id) REFERENCES impu (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Visited networks a public identity may register from (UAR's
-- Visited-Network-Identifier).  The home network (cfg/hss.cfg [hss]
-- home_network) is always allowed; any other needs a row here, else
-- DIAMETER_ERROR_ROAMING_NOT_ALLOWED.
CREATE TABLE visited_network (
	id INT UNSIGNED NOT NULL AUTO_INCREMENT,
	identity VARCHAR(255) NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY uk_vn_identity (identity)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE impu_visited_network (
	impu_id INT UNSIGNED NOT NULL,
	visited_network_id INT UNSIGNED NOT NULL,
	PRIMARY KEY (impu_id, visited_network_id),
	CONSTRAINT fk_ivn_impu FOREIGN KEY (impu_id) REFERENCES impu (id) ON DELETE CASCADE,
	CONSTRAINT fk_ivn_vn FOREIGN KEY (visited_network_id)
		REFERENCES visited_network (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The S-CSCFs of the home network, for the I-CSCF's choice (UAA/LIA with
-- Server-Capabilities): name is the Server-Name SIP URI; lower priority
-- first.
CREATE TABLE scscf (
	id INT UNSIGNED NOT NULL AUTO_INCREMENT,
	name VARCHAR(255) NOT NULL,
	diameter_host VARCHAR(255) NULL,
	priority INT NOT NULL DEFAULT 0,
	PRIMARY KEY (id),
	UNIQUE KEY uk_scscf_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Capabilities (operator-defined numbers) each S-CSCF offers.
CREATE TABLE scscf_capability (
	scscf_id INT UNSIGNED NOT NULL,
	capability INT UNSIGNED NOT NULL,
	PRIMARY KEY (scscf_id, capability),
	CONSTRAINT fk_sc_scscf FOREIGN KEY (scscf_id) REFERENCES scscf (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Capability sets a subscription requires (imsu.capability_set):
-- Mandatory-Capability (mandatory = 1) and Optional-Capability (0).
CREATE TABLE capability_set (
	set_id INT UNSIGNED NOT NULL,
	capability INT UNSIGNED NOT NULL,
	mandatory TINYINT(1) NOT NULL DEFAULT 1,
	PRIMARY KEY (set_id, capability)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
