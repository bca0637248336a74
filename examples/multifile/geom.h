/* geom.h: the interface between the two files of this example. */
#ifndef GEOM_H
#define GEOM_H

struct point {
	double x, y;
};

double distance(struct point a, struct point b);
double polygon_area(const struct point *p, int n);
extern int geom_calls;

#endif
