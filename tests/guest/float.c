/* Floating point through musl: printf, snprintf and strtod give exact,
 * known strings (the SSE state is set up before main). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad;

static void want(const char *what, const char *got, const char *exp)
{
	if (strcmp(got, exp)) {
		printf("MISMATCH %s: got \"%s\", want \"%s\"\n", what, got,
		       exp);
		bad = 1;
	}
}

int main(void)
{
	char buf[128];
	volatile double third = 1.0 / 3.0; /* computed at run time */

	printf("pi %.5f e %.3e third %g\n", M_PI, M_E, (double)third);
	printf("big %.0f tiny %g neg %+.2f\n", 1e22, 1e-300, -2.5);
	printf("inf %f nan %f max %g\n", INFINITY, NAN, 1.7976931348623157e308);

	snprintf(buf, sizeof(buf), "%.17g", 0.1);
	want("0.1", buf, "0.10000000000000001");
	snprintf(buf, sizeof(buf), "%a", 1.0);
	want("%a", buf, "0x1p+0");
	snprintf(buf, sizeof(buf), "%10.4f|%-8.2e|", 3.14159265, 12345.678);
	want("width", buf, "    3.1416|1.23e+04|");
	snprintf(buf, sizeof(buf), "%Lf", 1.5L);
	want("long double", buf, "1.500000");

	double d = strtod("2.718281828459045", NULL);
	printf("strtod %.15f\n", d);
	if (d != 2.718281828459045)
		bad = 1;
	d = strtod("1e-320", NULL); /* subnormal */
	printf("subnormal %g\n", d);
	d = strtod("0x1.8p1", NULL);
	printf("hex %g\n", d);
	printf("sqrt2 %.15f sin %.6f\n", sqrt(2.0), sin(third));
	float f = strtof("3.25", NULL);
	printf("float %.2f\n", f * 2);
	if (bad)
		return 1;
	printf("float ok\n");
	return 0;
}
