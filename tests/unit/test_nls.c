/*
 * Unit tests for nls.c: the nonlinear least-squares core run directly on NIST's certified
 * StRD nonlinear regression problems (tests/data/nist, read at run time) from both of NIST's
 * starting points, checking parameters, standard errors and the residual sum of squares
 * against the certified values; then the core's contract: too few observations, a
 * non-finite start, an exact fit and a rank-deficient Jacobian.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "streamstat/nls.h"

#define NIST_DIR  "../data/nist/"
#define NIST_NMAX 200  /* observations in the largest problem (Bennett5 has 154) */
#define LRE_MAX	  15.0 /* what an exact match counts as */

/* ---- NIST problems ---------------------------------------------------------------- */

/* f(x; b) with its gradient g[j] = df/db_j. */
typedef double (*model_fn)(double x, const double *b, double *g);

struct xy {
	size_t n;
	double x[NIST_NMAX], y[NIST_NMAX];
};

/* One problem's rows of certified.csv. */
struct certified {
	size_t p;
	double start[2][SS_NLS_PMAX];
	double value[SS_NLS_PMAX], sd[SS_NLS_PMAX];
	double rss, rsd;
	int higher; /* difficulty "Higher": 4 digits asked instead of 6 */
};

/* What the callback sees. */
struct nist_ctx {
	const struct xy *data;
	model_fn model;
	size_t p;
};

static double misra1a(double x, const double *b, double *g) /* also BoxBOD */
{
	double e = exp(-b[1] * x);

	g[0] = -expm1(-b[1] * x);
	g[1] = b[0] * x * e;
	return b[0] * g[0];
}

static double misra1b(double x, const double *b, double *g)
{
	double u = 1.0 + b[1] * x / 2.0;

	g[0] = 1.0 - 1.0 / (u * u);
	g[1] = b[0] * x / (u * u * u);
	return b[0] * g[0];
}

static double misra1c(double x, const double *b, double *g)
{
	double u = 1.0 + 2.0 * b[1] * x;

	g[0] = 1.0 - 1.0 / sqrt(u);
	g[1] = b[0] * x / (u * sqrt(u));
	return b[0] * g[0];
}

static double misra1d(double x, const double *b, double *g)
{
	double u = 1.0 + b[1] * x;

	g[0] = b[1] * x / u;
	g[1] = b[0] * x / (u * u);
	return b[0] * g[0];
}

static double danwood(double x, const double *b, double *g)
{
	double t = pow(x, b[1]);

	g[0] = t;
	g[1] = b[0] * t * log(x);
	return b[0] * t;
}

static double rat42(double x, const double *b, double *g)
{
	double e = exp(b[1] - b[2] * x), d = 1.0 + e;

	g[0] = 1.0 / d;
	g[1] = -b[0] * e / (d * d);
	g[2] = b[0] * x * e / (d * d);
	return b[0] / d;
}

static double rat43(double x, const double *b, double *g)
{
	double e = exp(b[1] - b[2] * x), d = 1.0 + e;
	double t = pow(d, -1.0 / b[3]); /* d^(-1/b4) */

	g[0] = t;
	g[1] = -b[0] * t * e / (b[3] * d);
	g[2] = b[0] * t * e * x / (b[3] * d);
	g[3] = b[0] * t * log(d) / (b[3] * b[3]);
	return b[0] * t;
}

static double bennett5(double x, const double *b, double *g)
{
	double u = b[1] + x, t = pow(u, -1.0 / b[2]);

	g[0] = t;
	g[1] = -b[0] * t / (b[2] * u);
	g[2] = b[0] * t * log(u) / (b[2] * b[2]);
	return b[0] * t;
}

static double mgh09(double x, const double *b, double *g)
{
	double num = x * x + x * b[1], den = x * x + x * b[2] + b[3];

	g[0] = num / den;
	g[1] = b[0] * x / den;
	g[2] = -b[0] * num * x / (den * den);
	g[3] = -b[0] * num / (den * den);
	return b[0] * num / den;
}

/* r_i = y_i - f(x_i; b), so J = -df/db. */
static int nist_residuals(const double *b, void *ctx, double *r, double *J)
{
	const struct nist_ctx *c = ctx;
	double g[SS_NLS_PMAX];

	for (size_t i = 0; i < c->data->n; i++) {
		r[i] = c->data->y[i] - c->model(c->data->x[i], b, g);
		if (J)
			for (size_t j = 0; j < c->p; j++)
				J[i * c->p + j] = -g[j];
	}
	return 0;
}

/* Which settings a fit must pass with: plain Levenberg-Marquardt, geodesic acceleration. */
#define LM    (1 << 0)
#define ACCEL (1 << 1)
#define BOTH  (LM | ACCEL)

static struct nist_problem {
	const char *name;
	size_t p;
	model_fn model;
	int settings[2]; /* from start1, start2 */
} problems[] = {
	{"Misra1a", 2, misra1a, {BOTH, BOTH}},
	{"Misra1b", 2, misra1b, {BOTH, BOTH}},
	{"Misra1c", 2, misra1c, {BOTH, BOTH}},
	{"Misra1d", 2, misra1d, {BOTH, BOTH}},
	/* From start1 (1, 1) plain LM drives b2 to ~115, where exp(-b2 x) underflows and f is
	 * the constant 172.5 = mean(y): a flat plateau (RSS 9771.5) it stops on, reporting "ok"
	 * with se(b2) ~ 1e49.  Geodesic acceleration reaches the certified minimum. */
	{"BoxBOD", 2, misra1a, {ACCEL, BOTH}},
	{"DanWood", 2, danwood, {BOTH, BOTH}},
	{"Rat42", 3, rat42, {BOTH, BOTH}},
	/* From start1 geodesic acceleration runs to b2 ~ -47, b3 ~ 10, where exp(b2 - b3 x)
	 * vanishes and f is the constant b1 = mean(y): the core rightly says "singular" there.
	 * Plain LM reaches the certified minimum. */
	{"Rat43", 4, rat43, {LM, BOTH}},
	{"Bennett5", 3, bennett5, {BOTH, BOTH}},
	{"MGH09", 4, mgh09, {BOTH, BOTH}},
};

#define NPROBLEMS (sizeof problems / sizeof problems[0])

/* Read an "x,y" file: a header, then one observation a line. */
static void read_xy(const char *name, struct xy *d)
{
	char path[256], line[256], *end;
	const char *err = NULL;
	size_t lineno = 1;
	FILE *f;

	snprintf(path, sizeof path, NIST_DIR "%s.csv", name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("%s: cannot open %s", name, path);
	d->n = 0;
	if (!fgets(line, sizeof line, f) || strcmp(line, "x,y\n") != 0)
		err = "not the header \"x,y\"";
	while (!err && fgets(line, sizeof line, f)) {
		char *y;

		lineno++;
		d->x[d->n] = strtod(line, &end);
		if (end == line || *end != ',') {
			err = "bad x";
			break;
		}
		y = end + 1;
		d->y[d->n] = strtod(y, &end);
		if (end == y || (*end != '\n' && *end != '\0'))
			err = "bad y";
		else if (++d->n == NIST_NMAX)
			err = "too many observations";
	}
	fclose(f);
	if (err)
		fail_msg("%s:%zu: %s: %s", path, lineno, err, line);
}

/* Split line at commas into at most max fields; returns the count. */
static size_t split_csv(char *line, char **field, size_t max)
{
	size_t k = 0;

	line[strcspn(line, "\r\n")] = '\0';
	while (k < max) {
		field[k++] = line;
		line = strchr(line, ',');
		if (!line)
			break;
		*line++ = '\0';
	}
	return k;
}

/* The whole of s as a number into *v; 0 when it is not one. */
static int parse_num(const char *s, double *v)
{
	char *end;

	*v = strtod(s, &end);
	return end != s && *end == '\0';
}

/*
 * Columns: dataset, model, param, start1, start2, certified_value, certified_std_dev,
 * residual_sum_of_squares, residual_std_dev, degrees_of_freedom, difficulty.
 */
static void read_certified(const char *name, struct certified *c)
{
	char line[512], *fld[12];
	const char *err = NULL;
	size_t lineno = 1;
	FILE *f = fopen(NIST_DIR "certified.csv", "r");

	memset(c, 0, sizeof *c);
	if (!f)
		fail_msg("cannot open " NIST_DIR "certified.csv");
	if (!fgets(line, sizeof line, f) || strncmp(line, "dataset,model,param,", 20) != 0)
		err = "unexpected header";
	while (!err && fgets(line, sizeof line, f)) {
		unsigned j;

		lineno++;
		if (split_csv(line, fld, 12) != 11) {
			err = "not 11 fields";
			break;
		}
		if (strcmp(fld[0], name) != 0)
			continue;
		if (sscanf(fld[2], "b%u", &j) != 1 || j != c->p + 1 || j > SS_NLS_PMAX) {
			err = "parameter out of order";
			break;
		}
		if (!parse_num(fld[3], &c->start[0][c->p]) ||
		    !parse_num(fld[4], &c->start[1][c->p]) || !parse_num(fld[5], &c->value[c->p]) ||
		    !parse_num(fld[6], &c->sd[c->p]) || !parse_num(fld[7], &c->rss) ||
		    !parse_num(fld[8], &c->rsd)) {
			err = "bad number";
			break;
		}
		c->higher = strcmp(fld[10], "Higher") == 0;
		c->p++;
	}
	fclose(f);
	if (err)
		fail_msg(NIST_DIR "certified.csv:%zu: %s", lineno, err);
}

/* NIST's log relative error: the number of significant digits got agrees with want. */
static double lre(double got, double want)
{
	double e;

	if (!isfinite(got))
		return 0.0;
	if (got == want)
		return LRE_MAX;
	e = -log10(fabs(got - want) / fabs(want));
	return e < 0.0 ? 0.0 : e > LRE_MAX ? LRE_MAX : e;
}

/*
 * What every NIST fit uses: the defaults, tightened so that each fit runs to machine precision
 * (about 7 to 12 digits here).  The defaults alone (200 iterations, xtol 1e-8, gtol 1e-10)
 * already give the digits asked for except Bennett5 under plain LM, which takes 270-300
 * iterations.
 */
static struct ss_nls_options nist_options(int accel, enum ss_nls_solver solver)
{
	struct ss_nls_options o = ss_nls_defaults();

	o.max_iter = 1000;
	o.xtol = 1e-15;
	o.gtol = 1e-15;
	o.ftol = 0.0;
	o.accel = accel;
	o.solver = solver;
	o.rank_by_value = 1; /* NIST's parameters are in natural units */
	return o;
}

/* The worst agreement over a problem's fits, for the summary line. */
struct worst {
	double b, se, rss;
	size_t iter_min, iter_max;
};

/* Fit one problem from one start with one setting; returns the number of failed checks. */
static int check_fit(struct ss_nls *w, const struct nist_problem *pr, const struct xy *d,
		     const struct certified *c, int start, struct ss_nls_options opt,
		     struct worst *worst)
{
	struct nist_ctx ctx = {d, pr->model, pr->p};
	struct ss_nls_problem pb = {d->n, pr->p, nist_residuals, &ctx};
	struct ss_nls_result res;
	double digits = c->higher ? 4.0 : 6.0, e;
	char fit[64];
	int bad = 0;

	snprintf(fit, sizeof fit, "%s start%d %s/%s", pr->name, start + 1,
		 opt.accel ? "accel" : "lm", opt.solver == SS_NLS_QR ? "qr" : "cholesky");
	ss_nls_fit(w, &pb, c->start[start], &opt, &res);
	if (res.status != SS_NLS_OK) {
		print_error("%s: status %s (gsl %d) after %zu iterations\n", fit,
			    ss_nls_status_name(res.status), res.gsl_status, res.iter);
		bad++;
	}
	for (size_t j = 0; j < pr->p; j++) {
		e = lre(res.x[j], c->value[j]);
		worst->b = fmin(worst->b, e);
		if (e < digits) {
			print_error("%s: b%zu = %.10e, certified %.10e (LRE %.1f < %.0f)\n", fit,
				    j + 1, res.x[j], c->value[j], e, digits);
			bad++;
		}
		e = lre(res.se[j], c->sd[j]);
		worst->se = fmin(worst->se, e);
		if (e < 4.0) {
			print_error("%s: se(b%zu) = %.10e, certified SD %.10e (LRE %.1f < 4)\n",
				    fit, j + 1, res.se[j], c->sd[j], e);
			bad++;
		}
	}
	e = lre(res.rss, c->rss);
	worst->rss = fmin(worst->rss, e);
	if (e < digits) {
		print_error("%s: RSS = %.10e, certified %.10e (LRE %.1f < %.0f)\n", fit, res.rss,
			    c->rss, e, digits);
		bad++;
	}
	/* The core's residual variance RSS / (n - p), against NIST's residual SD. */
	e = lre(sqrt(res.s2), c->rsd);
	if (e < digits) {
		print_error("%s: residual SD = %.10e, certified %.10e (LRE %.1f < %.0f)\n", fit,
			    sqrt(res.s2), c->rsd, e, digits);
		bad++;
	}
	if (res.iter < worst->iter_min)
		worst->iter_min = res.iter;
	if (res.iter > worst->iter_max)
		worst->iter_max = res.iter;
	return bad;
}

static void test_nist(void **state)
{
	static const enum ss_nls_solver solvers[] = {SS_NLS_CHOLESKY, SS_NLS_QR};
	const struct nist_problem *pr = *state;
	static struct xy data;
	struct certified cert;
	struct worst worst = {LRE_MAX, LRE_MAX, LRE_MAX, SIZE_MAX, 0};
	struct ss_nls *w;
	int bad = 0, fits = 0;

	read_xy(pr->name, &data);
	read_certified(pr->name, &cert);
	if (cert.p != pr->p)
		fail_msg("%s: certified.csv has %zu parameters, want %zu", pr->name, cert.p, pr->p);
	assert_true(data.n > pr->p);
	w = ss_nls_new();
	for (int start = 0; start < 2; start++)
		for (int accel = 0; accel < 2; accel++) {
			if (!(pr->settings[start] & (accel ? ACCEL : LM)))
				continue;
			for (size_t k = 0; k < sizeof solvers / sizeof solvers[0]; k++) {
				struct ss_nls_options opt = nist_options(accel, solvers[k]);

				bad += check_fit(w, pr, &data, &cert, start, opt, &worst);
				fits++;
				if (accel || solvers[k] != SS_NLS_CHOLESKY)
					continue;
				/* plain LM through GSL as well as through nls.c's own loop */
				opt.gsl_lm = 1;
				bad += check_fit(w, pr, &data, &cert, start, opt, &worst);
				fits++;
			}
		}
	ss_nls_free(&w);
	assert_null(w);
	print_message(
		"%-8s %d fits, %3zu-%3zu iterations; worst LRE: b %4.1f, se %4.1f, RSS %4.1f\n",
		pr->name, fits, worst.iter_min, worst.iter_max, worst.b, worst.se, worst.rss);
	if (bad)
		fail_msg("%s: %d check(s) failed", pr->name, bad);
}

/*
 * BoxBOD from start1 under plain LM ends on the plateau where exp(-b2 x)
 * underflows and the model is a constant: b2 is not identified there, and
 * the core must say so rather than report a fit.
 */
static void test_plateau(void **state)
{
	static struct xy data;
	struct certified cert;
	struct ss_nls_result res;
	struct nist_ctx ctx = {&data, misra1a, 2};
	struct ss_nls_problem pb;
	struct ss_nls_options opt = nist_options(0, SS_NLS_QR);
	struct ss_nls *w = ss_nls_new();

	(void)state;
	read_xy("BoxBOD", &data);
	read_certified("BoxBOD", &cert);
	pb = (struct ss_nls_problem){data.n, 2, nist_residuals, &ctx};
	ss_nls_fit(w, &pb, cert.start[0], &opt, &res);
	ss_nls_free(&w);
	assert_int_equal(res.status, SS_NLS_SINGULAR);
	assert_true(isnan(res.se[1]));
	assert_true(res.rss > 2 * cert.rss); /* 9771.5 against 1168.0 */
}

/* ---- The core's contract ------------------------------------------------------------ */

/* Small hand-made problems: y against x, the model chosen by kind. */
enum toy_kind {
	TOY_LINE, /* f = b0 + b1 x */
	TOY_SUM,  /* f = (b0 + b1) x: the two columns of J are equal */
	TOY_NAN,  /* residuals NaN everywhere */
	TOY_NAN_J /* finite residuals, a non-finite Jacobian */
};

struct toy {
	enum toy_kind kind;
	size_t n;
	double x[16], y[16];
};

static int toy_residuals(const double *b, void *ctx, double *r, double *J)
{
	const struct toy *t = ctx;

	for (size_t i = 0; i < t->n; i++) {
		double x = t->x[i];

		switch (t->kind) {
		case TOY_LINE:
			r[i] = t->y[i] - (b[0] + b[1] * x);
			if (J) {
				J[2 * i] = -1.0;
				J[2 * i + 1] = -x;
			}
			break;
		case TOY_SUM:
			r[i] = t->y[i] - (b[0] + b[1]) * x;
			if (J)
				J[2 * i] = J[2 * i + 1] = -x;
			break;
		case TOY_NAN:
			r[i] = NAN;
			if (J)
				J[2 * i] = J[2 * i + 1] = NAN;
			break;
		case TOY_NAN_J:
			r[i] = t->y[i] - b[0] * sqrt(b[1]) * x;
			if (J) {
				J[2 * i] = -sqrt(b[1]) * x;
				J[2 * i + 1] = -b[0] * x / (2.0 * sqrt(b[1])); /* inf at b1 = 0 */
			}
			break;
		}
	}
	return 0;
}

/* n points x = 1..n on y = a + b x, plus +-noise alternately. */
static void toy_init(struct toy *t, enum toy_kind kind, size_t n, double a, double b, double noise)
{
	t->kind = kind;
	t->n = n;
	for (size_t i = 0; i < n; i++) {
		t->x[i] = (double)(i + 1);
		t->y[i] = a + b * t->x[i] + (i % 2 ? noise : -noise);
	}
}

static enum ss_nls_status toy_fit(struct toy *t, const double *x0, struct ss_nls_result *res)
{
	struct ss_nls *w = ss_nls_new();
	struct ss_nls_problem pb = {t->n, 2, toy_residuals, t};
	struct ss_nls_options opt = ss_nls_defaults();
	enum ss_nls_status st = ss_nls_fit(w, &pb, x0, &opt, res);

	ss_nls_free(&w);
	return st;
}

static void test_too_few(void **state)
{
	struct toy t;
	struct ss_nls_result res;
	const double x0[2] = {0.5, 0.25};

	(void)state;
	toy_init(&t, TOY_LINE, 1, 1.0, 2.0, 0.0);
	assert_int_equal(toy_fit(&t, x0, &res), SS_NLS_TOO_FEW);
	assert_int_equal(res.status, SS_NLS_TOO_FEW);
	assert_true(res.x[0] == 0.5 && res.x[1] == 0.25); /* the start, untouched */
	assert_true(isnan(res.se[0]) && isnan(res.rss));
	assert_string_equal(ss_nls_status_name(SS_NLS_TOO_FEW), "too_few");
}

static void test_bad_start(void **state)
{
	struct toy t;
	struct ss_nls_result res;
	const double x0[2] = {1.0, 1.0}, zero_b1[2] = {1.0, 0.0};

	(void)state;
	toy_init(&t, TOY_NAN, 5, 1.0, 2.0, 0.0);
	assert_int_equal(toy_fit(&t, x0, &res), SS_NLS_BAD_START);
	assert_true(res.x[0] == 1.0 && res.x[1] == 1.0);
	/* Finite residuals but an infinite derivative at the start: refused too. */
	toy_init(&t, TOY_NAN_J, 5, 0.0, 2.0, 0.0);
	assert_int_equal(toy_fit(&t, zero_b1, &res), SS_NLS_BAD_START);
}

static void test_exact_line(void **state)
{
	struct toy t;
	struct ss_nls_result res;
	const double x0[2] = {0.0, 0.0};

	(void)state;
	toy_init(&t, TOY_LINE, 10, 1.0, 2.0, 0.0); /* y = 2x + 1 exactly */
	if (toy_fit(&t, x0, &res) != SS_NLS_OK)
		fail_msg("y = 2x + 1: status %s", ss_nls_status_name(res.status));
	if (fabs(res.x[0] - 1.0) > 1e-12 || fabs(res.x[1] - 2.0) > 1e-12)
		fail_msg("y = 2x + 1: got b = (%.17g, %.17g), want (1, 2)", res.x[0], res.x[1]);
	if (!(res.rss <= 1e-24))
		fail_msg("y = 2x + 1: RSS %g, want ~0", res.rss);
	for (int j = 0; j < 2; j++)
		if (!(res.se[j] >= 0.0 && res.se[j] <= 1e-12))
			fail_msg("y = 2x + 1: se(b%d) = %g, want ~0", j, res.se[j]);
}

/* f = (a + b) x: only a + b is identifiable, the two columns of J are equal. */
static void test_singular(void **state)
{
	static const double noise[] = {0.01, 0.0}; /* with residuals, and an exact fit */
	const double x0[2] = {1.0, 1.0};
	int bad = 0;

	(void)state;
	for (size_t k = 0; k < sizeof noise / sizeof noise[0]; k++) {
		struct toy t;
		struct ss_nls_result res;

		toy_init(&t, TOY_SUM, 10, 0.0, 3.0, noise[k]);
		if (toy_fit(&t, x0, &res) == SS_NLS_SINGULAR)
			continue;
		print_error(
			"f = (a + b) x, noise %g: status %s, want singular (a = %.17g, b = %.17g, "
			"se = %g, %g, RSS %g)\n",
			noise[k], ss_nls_status_name(res.status), res.x[0], res.x[1], res.se[0],
			res.se[1], res.rss);
		bad++;
	}
	if (bad)
		fail_msg("a rank-deficient Jacobian not reported as singular (%d of 2 cases)", bad);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_too_few),	   cmocka_unit_test(test_bad_start),
		cmocka_unit_test(test_exact_line), cmocka_unit_test(test_singular),
		cmocka_unit_test(test_plateau),
	};
	enum { NFIXED = sizeof fixed / sizeof fixed[0] };
	/* sized from its entries: the NIST problems follow the fixed tests */
	struct CMUnitTest tests[NFIXED + NPROBLEMS];

	gsl_set_error_handler_off();
	memcpy(tests, fixed, sizeof fixed);
	for (size_t i = 0; i < NPROBLEMS; i++)
		tests[NFIXED + i] =
			(struct CMUnitTest){problems[i].name, test_nist, NULL, NULL, &problems[i]};
	return cmocka_run_group_tests_name("nls", tests, NULL, NULL);
}
