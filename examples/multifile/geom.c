/* geom.c: a little geometry, with libm (sqrt, hypot). */
#include <math.h>

#include "geom.h"

int geom_calls;

double distance(struct point a, struct point b)
{
	geom_calls++;
	return hypot(b.x - a.x, b.y - a.y);
}

double polygon_area(const struct point *p, int n)
{
	double twice = 0;
	geom_calls++;
	for (int i = 0; i < n; i++) {
		const struct point *q = &p[(i + 1) % n];
		twice += p[i].x * q->y - q->x * p[i].y;
	}
	return fabs(twice) / 2;
}
