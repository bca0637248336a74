/* kern/cmdline.c: the Xen command line into options, environment and
 * arguments, following the grammar documented at the top of that file. */
#include "kern/kern.h"
#include "test.h"

static struct cmdline c;

/* Parse line and check that it gave exactly these words, "|"-separated
 * ("" for none). */
static void check_words(const char *what, char *const *w, int n,
			const char *want, int line)
{
	char got[2 * CMDLINE_MAX] = "";
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(got, "|");
		strcat(got, w[i]);
	}
	if (strcmp(got, want)) {
		printf("  %s:%d: %s: \"%s\" != \"%s\"\n", __FILE__, line, what,
		       got, want);
		test_fails++;
	}
}
#define PARSES(line_, opts, envs, args)                                        \
	do {                                                                   \
		CHECK_EQ(cmdline_parse(&c, line_), 0);                         \
		CHECK_STR(c.error, NULL);                                      \
		check_words("opt", c.opt, c.nopt, opts, __LINE__);             \
		check_words("env", c.env, c.nenv, envs, __LINE__);             \
		check_words("arg", c.arg, c.narg, args, __LINE__);             \
	} while (0)
#define REFUSED(line_)                                                         \
	do {                                                                   \
		CHECK_EQ(cmdline_parse(&c, line_), -1);                        \
		CHECK(c.error != NULL);                                        \
	} while (0)

static void empty(void)
{
	PARSES(NULL, "", "", "");
	PARSES("", "", "", "");
	PARSES(" \t\r\n  ", "", "", "");
}

static void documented_example(void)
{
	PARSES("atman.quiet TZ=UTC LANG=C.UTF-8 -n 5 \"two words\" -- "
	       "atman.literal",
	       "atman.quiet", "TZ=UTC|LANG=C.UTF-8",
	       "-n|5|two words|atman.literal");
}

static void blanks_separate_words(void)
{
	PARSES("  a\tb\n\nc\r d  ", "", "", "a|b|c|d");
}

static void options_anywhere_before_dashdash(void)
{
	PARSES("a atman.x b atman.y=1", "atman.x|atman.y=1", "", "a|b");
	PARSES("atman.", "atman.", "", "");
	/* Only the exact prefix makes an option. */
	PARSES("atman x.atman.y Atman.z atmanq", "", "",
	       "atman|x.atman.y|Atman.z|atmanq");
}

static void environment_before_first_argument(void)
{
	PARSES("A=1 _b=2 C_3= prog D=4", "", "A=1|_b=2|C_3=", "prog|D=4");
	/* Options do not end the environment; arguments do. */
	PARSES("A=1 atman.q B=2 x", "atman.q", "A=1|B=2", "x");
	/* An equals sign keeps the rest as the value. */
	PARSES("A=b=c X==", "", "A=b=c|X==", "");
	/* Not a NAME: these are arguments (and end the environment). */
	PARSES("1A=x", "", "", "1A=x");
	PARSES("=x A=1", "", "", "=x|A=1");
	PARSES("A-B=c", "", "", "A-B=c");
	PARSES("A.B=c", "", "", "A.B=c");
	PARSES("NOEQUALS A=1", "", "", "NOEQUALS|A=1");
	/* Quotes do not stop a word from being a NAME=VALUE. */
	PARSES("\"GREETING=hello world\" x", "", "GREETING=hello world", "x");
}

static void dashdash_ends_options_and_environment(void)
{
	PARSES("A=1 -- B=2 atman.y -- x", "", "A=1", "B=2|atman.y|--|x");
	PARSES("--", "", "", "");
	PARSES("atman.a -- atman.b", "atman.a", "", "atman.b");
	/* A quoted "--" is an argument, not the separator. */
	PARSES("\"--\" A=1 atman.q", "atman.q", "", "--|A=1");
	PARSES("\\-\\- A=1", "", "", "--|A=1");
	PARSES("-\\- -\"\"-", "", "", "--|--");
	/* "--" only as a whole word. */
	PARSES("--x ---", "", "", "--x|---");
}

static void quotes_and_backslashes(void)
{
	PARSES("a\"b c\"d", "", "", "ab cd");
	PARSES("\"\" x \"\"", "", "", "|x|");
	PARSES("\"a\\\"b\"", "", "", "a\"b");
	PARSES("\\\"", "", "", "\"");
	PARSES("a\\ b c", "", "", "a b|c");
	PARSES("\\\\", "", "", "\\");
	PARSES("\"\\\\\"", "", "", "\\");
	PARSES("\"tab\there\"", "", "", "tab\there");
	PARSES("\\a\\b", "", "", "ab");
	PARSES("\"atman.q\"", "atman.q", "", "");
}

static void words_point_into_buf(void)
{
	PARSES("atman.x A=1 b", "atman.x", "A=1", "b");
	char *all[] = { c.opt[0], c.env[0], c.arg[0] };
	for (int i = 0; i < 3; i++)
		CHECK(all[i] >= c.buf && all[i] < c.buf + sizeof(c.buf));
	/* The line is copied: the parse does not keep pointers into it. */
	char line[] = "hello";
	PARSES(line, "", "", "hello");
	line[0] = 'j';
	CHECK_STR(c.arg[0], "hello");
}

static void malformed_lines_are_refused(void)
{
	REFUSED("\"unterminated");
	REFUSED("a \"b c");
	REFUSED("\"\"\"");
	REFUSED("trailing\\");
	REFUSED("\"in quotes\\");
	/* Refusing resets a previous result's words. */
	PARSES("x", "", "", "x");
	REFUSED("\"");
	CHECK_EQ(c.narg, 0);
}

static void length_limit(void)
{
	char line[CMDLINE_MAX + 2];
	memset(line, 'x', CMDLINE_MAX);
	line[CMDLINE_MAX] = 0;
	CHECK_EQ(cmdline_parse(&c, line), 0);
	CHECK_EQ(c.narg, 1);
	CHECK_EQ(strlen(c.arg[0]), CMDLINE_MAX);

	/* The worst case for the output buffer: one-letter words after one
	 * long word, every byte of the line used. */
	memset(line, 'a', CMDLINE_MAX);
	for (int i = CMDLINE_MAX - 2 * 100; i < CMDLINE_MAX; i += 2)
		line[i] = ' ';
	line[CMDLINE_MAX] = 0;
	CHECK_EQ(cmdline_parse(&c, line), 0);
	CHECK_EQ(c.narg, 101);
	CHECK_EQ(strlen(c.arg[0]), CMDLINE_MAX - 200);
	CHECK_STR(c.arg[100], "a");

	line[CMDLINE_MAX] = 'x';
	line[CMDLINE_MAX + 1] = 0;
	REFUSED(line);
}

static void word_limit(void)
{
	/* CMDLINE_MAXWORDS - 1 words fit, so each array has room for the
	 * NULL that ends argv and envp; "--" is not a word. */
	char line[CMDLINE_MAX + 1] = "";
	for (int i = 0; i < CMDLINE_MAXWORDS - 1; i++)
		strcat(line, i % 3 == 0	  ? "atman.o "
			     : i % 3 == 1 ? "A=1 "
					  : "x ");
	strcat(line, "--");
	CHECK_EQ(cmdline_parse(&c, line), 0);
	CHECK_EQ(c.nopt + c.nenv + c.narg, CMDLINE_MAXWORDS - 1);
	strcat(line, " y");
	REFUSED(line);
}

static void option_lookup(void)
{
	PARSES("atman.quiet atman.stack=1M atman.e= atman.quietly",
	       "atman.quiet|atman.stack=1M|atman.e=|atman.quietly", "", "");
	CHECK_STR(cmdline_opt(&c, "atman.quiet"), "");
	CHECK_STR(cmdline_opt(&c, "atman.stack"), "1M");
	CHECK_STR(cmdline_opt(&c, "atman.e"), "");
	CHECK_STR(cmdline_opt(&c, "atman.quietly"), "");
	CHECK_STR(cmdline_opt(&c, "atman.qui"), NULL);
	CHECK_STR(cmdline_opt(&c, "atman.debugcon"), NULL);
	PARSES("x -- atman.debugcon", "", "", "x|atman.debugcon");
	CHECK_STR(cmdline_opt(&c, "atman.debugcon"), NULL);
}

int main(int argc, char **argv)
{
	test_init("cmdline", argc, argv);
	RUN(empty);
	RUN(documented_example);
	RUN(blanks_separate_words);
	RUN(options_anywhere_before_dashdash);
	RUN(environment_before_first_argument);
	RUN(dashdash_ends_options_and_environment);
	RUN(quotes_and_backslashes);
	RUN(words_point_into_buf);
	RUN(malformed_lines_are_refused);
	RUN(length_limit);
	RUN(word_limit);
	RUN(option_lookup);
	return test_summary();
}
