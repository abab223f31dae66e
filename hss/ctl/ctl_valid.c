/* ctl_valid — input checks; see ctl.h. */
#include "ctl.h"

#include "ims_codec.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ERR(...) (snprintf(err, len, __VA_ARGS__), -1)

static bool is_name_char(int c)
{
	return isascii(c) && (isalnum(c) || c == '.' || c == '_' || c == '-');
}

int ctl_valid_name(const char *name, char *err, size_t len)
{
	size_t n = strlen(name);

	if (n == 0)
		return ERR("the name is empty");
	if (n >= CTL_NAME_MAX)
		return ERR("the name '%.20s...' is longer than %d characters", name,
		           CTL_NAME_MAX - 1);
	if (!isascii((unsigned char)name[0]) || !isalnum((unsigned char)name[0]))
		return ERR("the name '%s' must begin with a letter or a digit", name);
	for (size_t i = 0; i < n; i++)
		if (!is_name_char((unsigned char)name[i]))
			return ERR(
			    "the name '%s' has a character outside letters, digits, '.', '_' "
			    "and '-' (position %zu)",
			    name, i + 1);
	return 0;
}

int ctl_valid_domain(const char *d, char *err, size_t len)
{
	size_t n = strlen(d), label = 0;

	if (n == 0 || n > 180)
		return ERR("the domain '%.40s' must have 1 to 180 characters", d);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)d[i];
		if (c == '.') {
			if (label == 0)
				return ERR("the domain '%s' has an empty label", d);
			label = 0;
		} else if (isascii(c) && (isalnum(c) || c == '-')) {
			label++;
		} else {
			return ERR("the domain '%s' may only have letters, digits, '-' and '.'", d);
		}
	}
	if (label == 0)
		return ERR("the domain '%s' ends with a dot", d);
	return 0;
}

int ctl_valid_password(const char *pw, char *err, size_t len)
{
	if (!pw || !pw[0])
		return ERR("the password is empty");
	if (strlen(pw) >= CTL_ID_MAX)
		return ERR("the password is longer than %d bytes", CTL_ID_MAX - 1);
	for (const unsigned char *p = (const unsigned char *)pw; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return ERR("the password has a control character (newline, tab...)");
	return 0;
}

int ctl_valid_hex(const char *opt, const char *in, size_t nhex, char *out, char *err, size_t len)
{
	size_t n = strlen(in);

	if (n != nhex)
		return ERR("%s must be %zu hex digits (%zu bytes), got %zu characters", opt, nhex,
		           nhex / 2, n);
	for (size_t i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)in[i]))
			return ERR("%s has '%c', not a hex digit (0-9, a-f)", opt,
			           isprint((unsigned char)in[i]) ? in[i] : '?');
		out[i] = (char)tolower((unsigned char)in[i]);
	}
	out[n] = '\0';
	return 0;
}

int ctl_valid_ascii_key(const char *in, char *out, char *err, size_t len)
{
	size_t n = strlen(in);

	if (n != 16)
		return ERR(
		    "--aka-k-ascii must be exactly 16 characters (the 16 bytes of K), got %zu", n);
	for (size_t i = 0; i < n; i++)
		if (!isascii((unsigned char)in[i]) || !isprint((unsigned char)in[i]))
			return ERR("--aka-k-ascii must be printable ASCII");
	ims_hex_encode((const uint8_t *)in, n, out);
	return 0;
}

/* Characters a public identity may not have: blanks, quotes, brackets,
 * backslash, controls and anything outside ASCII. */
static bool bad_uri_char(unsigned char c)
{
	return c <= 0x20 || c >= 0x7f || strchr("\"'<>\\`", c) != NULL;
}

static int valid_tel_body(const char *b)
{
	int digits = 0;

	if (*b == '+')
		b++;
	for (; *b && *b != ';'; b++) {
		if (isdigit((unsigned char)*b))
			digits++;
		else if (!strchr("-.()", *b))
			return -1;
	}
	return digits > 0 && digits <= 15 ? 0 : -1;
}

int ctl_valid_impu(const char *uri, char *err, size_t len)
{
	const char *body;
	size_t n = strlen(uri);

	if (n == 0 || n >= CTL_ID_MAX)
		return ERR("the public identity must have 1 to %d characters", CTL_ID_MAX - 1);
	for (size_t i = 0; i < n; i++)
		if (bad_uri_char((unsigned char)uri[i]))
			return ERR(
			    "the public identity '%s' has a blank, quote, bracket, backslash "
			    "or non-ASCII character",
			    uri);
	if (strncasecmp(uri, "tel:", 4) == 0) {
		if (valid_tel_body(uri + 4) < 0)
			return ERR("'%s' is not a tel: URI (tel:+ and 1 to 15 digits)", uri);
		return 0;
	}
	if (strncasecmp(uri, "sip:", 4) == 0)
		body = uri + 4;
	else if (strncasecmp(uri, "sips:", 5) == 0)
		body = uri + 5;
	else
		return ERR("the public identity '%s' must be a sip:, sips: or tel: URI", uri);
	if (!body[0] || body[0] == '@' || body[strlen(body) - 1] == '@')
		return ERR("'%s' has no host (sip:user@host)", uri);
	return 0;
}

int ctl_valid_tel(const char *num, char *out, size_t outlen, char *err, size_t len)
{
	const char *d = num[0] == '+' ? num + 1 : num;
	size_t n = strlen(d);

	if (n == 0 || n > 15)
		return ERR("'%s' is not +NUMBER with 1 to 15 digits", num);
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)d[i]))
			return ERR("'%s' is not +NUMBER (digits only)", num);
	snprintf(out, outlen, "tel:+%s", d);
	return 0;
}

const char *ctl_scheme_parse(const char *s)
{
	if (strcasecmp(s, "md5") == 0 || strcasecmp(s, CTL_SCHEME_MD5) == 0 ||
	    strcasecmp(s, "digest") == 0)
		return CTL_SCHEME_MD5;
	if (strcasecmp(s, "aka") == 0 || strcasecmp(s, "akav1-md5") == 0 ||
	    strcasecmp(s, CTL_SCHEME_AKA) == 0)
		return CTL_SCHEME_AKA;
	if (strcasecmp(s, "digest-md5") == 0 || strcasecmp(s, "legacy-md5") == 0)
		return CTL_SCHEME_LEGACY;
	return NULL;
}

const char *ctl_scheme_short(const char *stored)
{
	if (!stored)
		return "-";
	if (strcmp(stored, CTL_SCHEME_AKA) == 0)
		return "aka";
	if (strcmp(stored, CTL_SCHEME_MD5) == 0)
		return "md5";
	if (strcmp(stored, CTL_SCHEME_LEGACY) == 0)
		return "digest-md5";
	return stored;
}

int ctl_valid_text(const char *opt, const char *s, char *err, size_t len)
{
	if (strlen(s) > 200)
		return ERR("%s is longer than 200 characters", opt);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return ERR("%s has a control character (newline, tab...)", opt);
	return 0;
}

int ctl_impi_of(const struct ctl_args *a, const char *name, char *out, size_t outlen, char *err,
                size_t len)
{
	const char *at = strchr(name, '@');
	char user[CTL_NAME_MAX + 1];

	if (!at) {
		if (ctl_valid_name(name, err, len) < 0)
			return -1;
		snprintf(out, outlen, "%s@%s", name, a->domain);
		return 0;
	}
	if ((size_t)(at - name) > CTL_NAME_MAX)
		return ERR("the name '%.20s...' is longer than %d characters", name,
		           CTL_NAME_MAX - 1);
	snprintf(user, sizeof user, "%.*s", (int)(at - name), name);
	if (ctl_valid_name(user, err, len) < 0 || ctl_valid_domain(at + 1, err, len) < 0)
		return -1;
	snprintf(out, outlen, "%s", name);
	return 0;
}

void ctl_err(const struct ctl_args *a, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "imsctl: %s%s", a && a->cmd ? a->cmd : "", a && a->cmd ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
