-- ims_hss version 3: an application server may ask for the REGISTER request
-- and/or its response in the third-party REGISTER (TS 29.228 annex B.2.2,
-- tApplicationServer/Extension IncludeRegisterRequest/IncludeRegisterResponse).
ALTER TABLE application_server
	ADD COLUMN include_register_request TINYINT(1) NOT NULL DEFAULT 0,
	ADD COLUMN include_register_response TINYINT(1) NOT NULL DEFAULT 0;
