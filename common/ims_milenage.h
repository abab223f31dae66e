/*
 * ims_milenage — the 3GPP authentication functions f1, f1*, f2-f5, f5*
 * (3GPP TS 35.206) over AES-128 (OpenSSL).  Verified against every test set
 * of TS 35.208 in tests/unit/test_milenage.c.
 */
#ifndef IMS_MILENAGE_H
#define IMS_MILENAGE_H

#include <stdint.h>

/* OPc = AES_K(OP) xor OP.  Returns 0, or -1 if the cipher failed. */
int ims_milenage_opc(const uint8_t k[16], const uint8_t op[16], uint8_t opc[16]);

/* f1 and f1*: MAC-A and MAC-S (either output pointer may be NULL). */
int ims_milenage_f1(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		    const uint8_t sqn[6], const uint8_t amf[2], uint8_t mac_a[8],
		    uint8_t mac_s[8]);

/* f2 (RES), f3 (CK), f4 (IK), f5 (AK), f5* (AK*): any output may be NULL. */
int ims_milenage_f2345(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		       uint8_t res[8], uint8_t ck[16], uint8_t ik[16], uint8_t ak[6],
		       uint8_t ak_star[6]);

#endif
