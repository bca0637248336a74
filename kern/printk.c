/*
 * A small vsnprintf for kernel messages: %d %i %u %x %X %p %s %c %%, the
 * l/ll/z/h length modifiers, width, '0' and '-' flags, and precision for
 * strings (%.*s). Always NUL-terminates; returns the length it wanted.
 */
#include "kern.h"

struct out {
	char *buf;
	size_t n, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->n)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, uint64_t v, int base, bool upper, bool neg,
		    int width, bool zero, bool left)
{
	char tmp[24];
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int k = 0;
	do {
		tmp[k++] = digits[v % base];
		v /= base;
	} while (v);
	int len = k + neg;
	if (neg && zero)
		put(o, '-');
	if (!left)
		for (; width > len; width--)
			put(o, zero ? '0' : ' ');
	if (neg && !zero)
		put(o, '-');
	while (k)
		put(o, tmp[--k]);
	if (left)
		for (; width > len; width--)
			put(o, ' ');
}

int kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct out o = { buf, n, 0 };

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		bool zero = false, left = false, alt = false;
		for (;; fmt++) {
			if (*fmt == '#')
				alt = true;
			else if (*fmt == '0')
				zero = true;
			else if (*fmt == '-')
				left = true;
			else
				break;
		}
		int width = 0, prec = -1;
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
		int lng = 0;
		while (*fmt == 'l' || *fmt == 'z' || *fmt == 'h') {
			if (*fmt != 'h')
				lng = 1;
			fmt++;
		}
		uint64_t u;
		int64_t s;
		switch (*fmt) {
		case 'd':
		case 'i':
			s = lng ? va_arg(ap, long) : va_arg(ap, int);
			put_num(&o, s < 0 ? -(uint64_t)s : (uint64_t)s, 10,
				false, s < 0, width, zero, left);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = lng ? va_arg(ap, unsigned long)
				: va_arg(ap, unsigned int);
			if (alt && *fmt != 'u') {
				put(&o, '0');
				put(&o, 'x');
			}
			put_num(&o, u, *fmt == 'u' ? 10 : 16, *fmt == 'X',
				false, width, zero, left);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_num(&o, (uintptr_t)va_arg(ap, void *), 16, false,
				false, width, zero, left);
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			int len = prec >= 0 ? (int)strnlen(str, prec)
					    : (int)strlen(str);
			if (!left)
				for (int w = width; w > len; w--)
					put(&o, ' ');
			for (int i = 0; i < len; i++)
				put(&o, str[i]);
			if (left)
				for (int w = width; w > len; w--)
					put(&o, ' ');
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case 0:
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
		}
	}
	if (n)
		buf[o.len < n ? o.len : n - 1] = 0;
	return (int)o.len;
}

int ksnprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = kvsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

void printk(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	console_kwrite(buf, n);
}
