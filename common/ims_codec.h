/* ims_codec — hex and base64 (RFC 4648) helpers. */
#ifndef IMS_CODEC_H
#define IMS_CODEC_H

#include <stddef.h>
#include <stdint.h>

/* Lower-case hex of len bytes into out (2*len+1 bytes, NUL-terminated).
 * Returns 2*len. */
size_t ims_hex_encode(const uint8_t *in, size_t len, char *out);

/* Decode a hex string (upper or lower case, even length) into out.
 * Returns the number of bytes, or -1 on a bad character, odd length or
 * when it would exceed outmax. */
int ims_hex_decode(const char *hex, uint8_t *out, size_t outmax);

/* Standard base64 with padding into out (NUL-terminated).
 * Returns the length written, or -1 when outmax is too small. */
int ims_base64_encode(const uint8_t *in, size_t len, char *out, size_t outmax);

/* Decode standard base64 (padding required); returns bytes or -1.  Strict:
 * white space, characters outside the alphabet, misplaced padding or
 * non-zero bits under the padding are errors, as is a result over outmax. */
int ims_base64_decode(const char *in, size_t inlen, uint8_t *out, size_t outmax);

#endif
