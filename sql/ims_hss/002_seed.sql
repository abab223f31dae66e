-- ims_hss seed: the lab's S-CSCF and the four default subscribers of
-- IMS-FACTS.md.  Each has sip:NAME@open-ims.test and tel:+1555000N in one
-- implicit registration set, the service profile "default" (no iFC), both
-- digest schemes and AKA allowed, K/OP as the hex of their ASCII strings,
-- AMF 494d ("IM").

INSERT INTO scscf (id, name, diameter_host, priority) VALUES
	(1, 'sip:scscf.open-ims.test:6060', 'scscf.open-ims.test', 0);

INSERT INTO visited_network (id, identity) VALUES (1, 'open-ims.test');

INSERT INTO service_profile (id, name) VALUES (1, 'default');

-- An example application server and iFC, attached to the profile "example"
-- only (no default subscriber uses it): MESSAGE requests an originating
-- user sends are also given to sip:as.open-ims.test:5070.
INSERT INTO application_server (id, name, server_name, default_handling, service_info) VALUES
	(1, 'example-as', 'sip:as.open-ims.test:5070', 0, NULL);
INSERT INTO service_profile (id, name) VALUES (2, 'example');
INSERT INTO ifc (id, name, application_server_id, condition_type_cnf, profile_part_indicator) VALUES
	(1, 'example-message-orig', 1, 1, NULL);
INSERT INTO ifc_spt (ifc_id, group_id, condition_negated, type, header, value) VALUES
	(1, 0, 0, 'method', NULL, 'MESSAGE'),
	(1, 1, 0, 'session_case', NULL, '0');
INSERT INTO service_profile_ifc (service_profile_id, ifc_id, priority) VALUES (2, 1, 0);

INSERT INTO imsu (id, name) VALUES
	(1, 'alice'), (2, 'bob'), (3, 'carol'), (4, 'dave');

INSERT INTO impi (id, imsu_id, identity, auth_schemes, default_auth_scheme,
		  password, k, op, amf, sqn) VALUES
	(1, 1, 'alice@open-ims.test', 'Digest-AKAv1-MD5,SIP Digest,Digest-MD5', 'SIP Digest',
	 'alice', '616c6963652d616b612d736563726574', '6f70656e2d696d732d746573742d6f70', '494d', 0),
	(2, 2, 'bob@open-ims.test', 'Digest-AKAv1-MD5,SIP Digest,Digest-MD5', 'SIP Digest',
	 'bob', '626f622d616b612d7365637265742d6b', '6f70656e2d696d732d746573742d6f70', '494d', 0),
	(3, 3, 'carol@open-ims.test', 'Digest-AKAv1-MD5,SIP Digest,Digest-MD5', 'Digest-AKAv1-MD5',
	 'carol', '6361726f6c2d616b612d736563726574', '6f70656e2d696d732d746573742d6f70', '494d', 0),
	(4, 4, 'dave@open-ims.test', 'Digest-AKAv1-MD5,SIP Digest,Digest-MD5', 'Digest-AKAv1-MD5',
	 'dave', '646176652d616b612d73656372657431', '6f70656e2d696d732d746573742d6f70', '494d', 0);

INSERT INTO impu (id, identity, identity_type, implicit_set, service_profile_id) VALUES
	(1, 'sip:alice@open-ims.test', 'public_user', 1, 1),
	(2, 'tel:+15550001', 'public_user', 1, 1),
	(3, 'sip:bob@open-ims.test', 'public_user', 2, 1),
	(4, 'tel:+15550002', 'public_user', 2, 1),
	(5, 'sip:carol@open-ims.test', 'public_user', 3, 1),
	(6, 'tel:+15550003', 'public_user', 3, 1),
	(7, 'sip:dave@open-ims.test', 'public_user', 4, 1),
	(8, 'tel:+15550004', 'public_user', 4, 1);

INSERT INTO impi_impu (impi_id, impu_id) VALUES
	(1, 1), (1, 2), (2, 3), (2, 4), (3, 5), (3, 6), (4, 7), (4, 8);

INSERT INTO impu_visited_network (impu_id, visited_network_id) VALUES
	(1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 1), (7, 1), (8, 1);
