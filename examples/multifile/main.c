/* main.c: uses geom.c through geom.h. */
#include <math.h>
#include <stdio.h>

#include "geom.h"

int main(void)
{
	struct point square[] = { { 0, 0 }, { 2, 0 }, { 2, 2 }, { 0, 2 } };
	printf("diagonal %.6f\n", distance(square[0], square[2]));
	printf("area %.1f\n", polygon_area(square, 4));
	printf("sqrt(area) %.6f\n", sqrt(polygon_area(square, 4)));
	printf("calls %d\n", geom_calls);
	return geom_calls == 3 ? 0 : 1;
}
