/*
 * ims_codec — hex and base64 (RFC 4648 §4, standard alphabet, padded).
 *
 * Both decoders are strict: any character outside the alphabet (including
 * white space), a wrong length or misplaced padding is an error, so that a
 * hostile nonce or key string cannot be half-decoded.
 */
#include "ims_codec.h"

#include <limits.h>

static const char hex_digits[] = "0123456789abcdef";

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t ims_hex_encode(const uint8_t *in, size_t len, char *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hex_digits[in[i] >> 4];
		out[2 * i + 1] = hex_digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
	return 2 * len;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ims_hex_decode(const char *hex, uint8_t *out, size_t outmax)
{
	size_t len = 0, i;

	if (hex == NULL)
		return -1;
	while (hex[len] != '\0')
		len++;
	if (len % 2 != 0 || len / 2 > outmax || len / 2 > INT_MAX)
		return -1;
	for (i = 0; i < len / 2; i++) {
		int hi = hex_value(hex[2 * i]);
		int lo = hex_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)((hi << 4) | lo);
	}
	return (int)(len / 2);
}

int ims_base64_encode(const uint8_t *in, size_t len, char *out, size_t outmax)
{
	size_t need, i, o = 0;

	if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
		return -1;
	need = (len + 2) / 3 * 4;
	if (need + 1 > outmax || need > INT_MAX)
		return -1;
	for (i = 0; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = b64_alphabet[(v >> 18) & 0x3f];
		out[o++] = b64_alphabet[(v >> 12) & 0x3f];
		out[o++] = b64_alphabet[(v >> 6) & 0x3f];
		out[o++] = b64_alphabet[v & 0x3f];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		out[o++] = b64_alphabet[(v >> 18) & 0x3f];
		out[o++] = b64_alphabet[(v >> 12) & 0x3f];
		out[o++] = '=';
		out[o++] = '=';
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		out[o++] = b64_alphabet[(v >> 18) & 0x3f];
		out[o++] = b64_alphabet[(v >> 12) & 0x3f];
		out[o++] = b64_alphabet[(v >> 6) & 0x3f];
		out[o++] = '=';
	}
	out[o] = '\0';
	return (int)o;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int ims_base64_decode(const char *in, size_t inlen, uint8_t *out, size_t outmax)
{
	size_t i, o = 0, pad = 0, nbytes;

	if (in == NULL || inlen % 4 != 0 || inlen / 4 * 3 > INT_MAX)
		return -1;
	if (inlen == 0)
		return 0;
	if (in[inlen - 1] == '=')
		pad++;
	if (in[inlen - 2] == '=')
		pad++;
	nbytes = inlen / 4 * 3 - pad;
	if (nbytes > outmax)
		return -1;
	for (i = 0; i < inlen; i += 4) {
		int v[4], k;
		int last = (i + 4 == inlen);
		uint32_t w;

		for (k = 0; k < 4; k++) {
			/* '=' only in the last one or two places of the last quantum. */
			if (last && in[i + k] == '=' && k >= 4 - (int)pad) {
				v[k] = 0;
				continue;
			}
			v[k] = b64_value(in[i + k]);
			if (v[k] < 0)
				return -1;
		}
		w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
		    (uint32_t)v[3];
		/* Canonical encoding only: the bits under the padding are zero. */
		if (last && ((pad == 1 && (w & 0xff) != 0) || (pad == 2 && (w & 0xffff) != 0)))
			return -1;
		out[o++] = (uint8_t)(w >> 16);
		if (!last || pad < 2)
			out[o++] = (uint8_t)(w >> 8);
		if (!last || pad < 1)
			out[o++] = (uint8_t)w;
	}
	return (int)o;
}
