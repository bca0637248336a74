/*
 * The Xen command line (xl's cmdline=) becomes kernel options, the
 * environment and argv[1..]:
 *
 *   atman.quiet TZ=UTC LANG=C.UTF-8 -n 5 "two words" -- atman.literal
 *
 * - words are separated by blanks; "double quotes" keep blanks, and a
 *   backslash makes the next character literal (inside quotes too);
 * - words starting with "atman." are kernel options, up to a "--";
 * - NAME=VALUE words before the first argument are the environment;
 * - "--" ends both: every later word is an argument. A quoted or
 *   escaped "--" ("--" or \-\-) is an ordinary argument.
 * A line with an unterminated quote, a trailing backslash, more than
 * CMDLINE_MAX bytes or more than CMDLINE_MAXWORDS words is refused with
 * c->error set; main.c reports it and exits with status 2.
 */
#include "kern.h"

static bool env_word(const char *w)
{
	if (!((*w >= 'A' && *w <= 'Z') || (*w >= 'a' && *w <= 'z') ||
	      *w == '_'))
		return false;
	for (w++; *w && *w != '='; w++)
		if (!((*w >= 'A' && *w <= 'Z') || (*w >= 'a' && *w <= 'z') ||
		      (*w >= '0' && *w <= '9') || *w == '_'))
			return false;
	return *w == '=';
}

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

int cmdline_parse(struct cmdline *c, const char *line)
{
	memset(c, 0, sizeof(*c));
	if (!line)
		return 0;
	size_t len = strnlen(line, CMDLINE_MAX + 1);
	if (len > CMDLINE_MAX) {
		c->error = "command line too long (more than 1024 bytes)";
		return -1;
	}
	char *out = c->buf;
	const char *p = line;
	bool dashdash = false, args = false;
	for (;;) {
		while (blank(*p))
			p++;
		if (!*p)
			break;
		char *word = out;
		bool quoted = false, literal = false; /* a quote or \ seen */
		for (; *p && (quoted || !blank(*p)); p++) {
			if (*p == '"') {
				quoted = !quoted;
				literal = true;
			} else if (*p == '\\') {
				if (!p[1]) {
					c->error = "command line ends with a "
						   "backslash";
					return -1;
				}
				*out++ = *++p;
				literal = true;
			} else {
				*out++ = *p;
			}
		}
		if (quoted) {
			c->error = "unterminated quote in command line";
			return -1;
		}
		*out++ = 0;
		if (!dashdash && !literal && !strcmp(word, "--")) {
			dashdash = true;
			continue;
		}
		if (c->nopt + c->nenv + c->narg == CMDLINE_MAXWORDS - 1) {
			c->error =
				"too many words in command line (at most 127)";
			return -1;
		}
		if (!dashdash && !strncmp(word, "atman.", 6))
			c->opt[c->nopt++] = word;
		else if (!dashdash && !args && env_word(word))
			c->env[c->nenv++] = word;
		else {
			c->arg[c->narg++] = word;
			args = true;
		}
	}
	return 0;
}

/* "atman.quiet" -> "", "atman.stack=1M" -> "1M", absent -> NULL. */
const char *cmdline_opt(const struct cmdline *c, const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; i < c->nopt; i++)
		if (!strncmp(c->opt[i], name, n) &&
		    (c->opt[i][n] == 0 || c->opt[i][n] == '='))
			return c->opt[i][n] ? c->opt[i] + n + 1 : "";
	return NULL;
}
