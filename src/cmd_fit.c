/*
 * cmd_fit.c - "streamstat fit": fit every model to every track, as CSV.
 *
 * Loads the data as "check" does (problems on stderr, same exit codes),
 * fits (fit.h) and writes one CSV row per track and model on stdout: the
 * stage's plain output, for a spreadsheet or a pipeline that shards tracks
 * across machines.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "streamstat/cli.h"
#include "streamstat/date.h"
#include "streamstat/fit.h"
#include "streamstat/milestones.h"
#include "streamstat/number.h"

static const char usage_text[] =
	"usage: streamstat fit DATA.csv [MORE.csv ...] [options]\n"
	"\n"
	"Fit every growth model to every track and write one CSV row per track and\n"
	"model on stdout: parameters with standard errors and 95%% intervals, RMSE\n"
	"(log scale), AICc, Akaike weight, which model the track gets, and when each\n"
	"model says the track reaches its next milestone (with an interval).\n"
	"\n"
	"%s\n%s\nOptions:\n" SS_LOAD_OPTIONS_HELP
	"  -j, --jobs N          fit on N threads (default: one per CPU); the\n"
	"                        results do not depend on N\n"
	"  -m, --model LIST      fit only these models (comma-separated; see below)\n"
	"      --average         use every converged curve that carries Akaike weight,\n"
	"                        weighted by it, instead of the least AICc alone\n"
	"      --chosen          print only the rows of each track's chosen model(s)\n"
	"      --gsl-lm          iterate with GSL's gsl_multifit_nlinear rather than\n"
	"                        streamstat's equivalent, faster loop (to cross-check)\n"
	"      --milestones LIST the milestones for the next_* columns (default\n"
	"                        50M,100M,200M,300M,500M,1B)\n"
	"      --level P         their prediction interval level (default 0.8)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Models:\n"
	"%s"
	"\n" SS_EXIT_CODES_HELP;

static int usage(FILE *out, int code)
{
	char list[1024];
	size_t len = 0;

	if (out != stdout) {
		ss_usage_brief(out, usage_text);
		return code;
	}
	list[0] = '\0';
	for (size_t i = 0; i < ss_nmodels && len < sizeof list; i++) {
		int w = snprintf(list + len, sizeof list - len, "  %-10s %s: %s\n",
				 ss_models[i].name, ss_models[i].label, ss_models[i].formula);
		if (w > 0)
			len += (size_t)w;
	}
	fprintf(out, usage_text, SS_INPUT_HELP, SS_INPUT_OPTIONS_HELP, list);
	return code;
}

/* A number, or an empty field when it is not finite. */
static void put_num(FILE *out, double v)
{
	putc(',', out);
	if (isfinite(v))
		fprintf(out, "%.10g", v);
}

static void put_date(FILE *out, int32_t day)
{
	char buf[SS_DATE_LEN + 1];

	ss_date_format(day, buf);
	fprintf(out, ",%s", buf);
}

static void print_header(FILE *out)
{
	fputs("album,artist,track,model,status,chosen,weight,n,dof,rmse_log,aicc,delta_aicc", out);
	for (int j = 1; j <= SS_MODEL_PMAX; j++)
		fprintf(out, ",p%d_name,p%d,p%d_se,p%d_lo95,p%d_hi95", j, j, j, j, j);
	fputs(",limit,release,last_date,last_total,bounds_used,start,iterations,reason,"
	      "next_milestone,next_status,next_date,next_lo,next_hi\n",
	      out);
}

static const char *reason_of(const struct ss_track_fit *tf, size_t i, char *buf, size_t size)
{
	const struct ss_model_fit *mf = &tf->m[i];

	switch ((enum ss_fit_status)mf->status) {
	case SS_FIT_OK:
		if (tf->fallback && (int)i == tf->best)
			return "no curve usable: the recent pace stands in";
		if (mf->unidentified) {
			size_t len = (size_t)snprintf(buf, size, "not identified by the data:");
			for (size_t j = 0; j < ss_models[i].np && len < size; j++)
				if (mf->unidentified & (1u << j))
					len += (size_t)snprintf(buf + len, size - len, " %s",
								ss_models[i].param[j].name);
			return buf;
		}
		return "";
	case SS_FIT_SKIPPED:
		return "not asked for";
	case SS_FIT_NO_DATA:
		return "no streams to fit";
	case SS_FIT_TOO_FEW:
		snprintf(buf, size, "%u intervals; the model needs %zu", tf->n,
			 ss_models[i].np + 3);
		return buf;
	case SS_FIT_FAILED:
		return ss_nls_status_text((enum ss_nls_status)mf->nls);
	case SS_FIT_REJECTED:
		return mf->why;
	default:
		return "";
	}
}

/* The next milestone a track has not reached: its index in mo, or -1. */
static int next_milestone(const struct ss_dataset *ds, uint32_t t, const struct ss_ms_options *mo)
{
	size_t n;
	const struct ss_obs *obs = ss_series_of(ds, t, &n);
	struct ss_crossing c;

	for (size_t k = 0; k < mo->nmilestones; k++)
		if (!ss_ms_observed(obs, n, ds->tracks[t].release, ss_release_known(ds, t),
				    (double)mo->milestone[k], &c))
			return (int)k;
	return -1;
}

/* next_*: when model i says the track reaches milestone k. */
static void put_next(FILE *out, const struct ss_dataset *ds, const struct ss_track_fit *tf,
		     size_t i, const struct ss_ms_options *mo, int k)
{
	char buf[32];
	size_t n;
	const struct ss_obs *obs = ss_series_of(ds, tf->track, &n);
	struct ss_crossing c;

	if (k < 0 || n == 0 || tf->m[i].status != SS_FIT_OK) {
		fputs(",,,,,", out);
		return;
	}
	double span =
		ss_ms_span(obs, n, tf->release, ss_release_known(ds, tf->track), tf->last_day);
	ss_ms_project(tf, (int)i, (double)mo->milestone[k], mo->level, span, &c);
	fprintf(out, ",%s,%s", ss_milestone_format(mo->milestone[k], buf),
		ss_ms_status_name((enum ss_ms_status)c.status));
	int32_t days[3] = {c.day, c.lo, c.hi};
	for (size_t j = 0; j < 3; j++) {
		if (days[j] == SS_DAY_NEVER)
			fputs(",never", out);
		else if (days[j] == SS_DAY_NONE)
			putc(',', out);
		else
			put_date(out, days[j]);
	}
}

static void print_row(FILE *out, const struct ss_dataset *ds, const struct ss_track_fit *tf,
		      size_t i, const struct ss_ms_options *mo, int next)
{
	const struct ss_model *m = &ss_models[i];
	const struct ss_model_fit *mf = &tf->m[i];
	const struct ss_model_fit *best = tf->best >= 0 ? &tf->m[tf->best] : NULL;
	/* a rejected fit shows its figures when it was fitted before the refusal */
	int ok = mf->status == SS_FIT_OK || (mf->status == SS_FIT_REJECTED && mf->n > 0);
	char buf[80];

	ss_csv_field(out, ss_album_name(ds, ds->tracks[tf->track].album));
	putc(',', out);
	ss_csv_field(out, ss_album_artist(ds, ds->tracks[tf->track].album));
	putc(',', out);
	ss_csv_field(out, ss_track_name(ds, tf->track));
	fprintf(out, ",%s,%s,%d", m->name, ss_fit_status_name((enum ss_fit_status)mf->status),
		mf->chosen);
	put_num(out, mf->status == SS_FIT_OK ? mf->weight : NAN);
	if (ok)
		fprintf(out, ",%u,%u", mf->n, mf->dof);
	else
		fputs(",,", out);
	put_num(out, ok ? mf->rmse : NAN);
	put_num(out, ok ? mf->aicc : NAN);
	put_num(out, ok && best && !tf->fallback ? mf->aicc - best->aicc : NAN);
	for (size_t j = 0; j < SS_MODEL_PMAX; j++) {
		if (j >= m->np) {
			fputs(",,,,,", out);
			continue;
		}
		double lo, hi, v = ss_fit_param(m, mf, j, &lo, &hi);
		double se = m->param[j].scale == SS_PARAM_LOG ? v * mf->se[j] : mf->se[j];
		fprintf(out, ",%s", m->param[j].name);
		put_num(out, ok ? v : NAN);
		put_num(out, ok ? se : NAN);
		put_num(out, ok ? lo : NAN);
		put_num(out, ok ? hi : NAN);
	}
	put_num(out, ok ? m->limit(mf->th) : NAN);
	put_date(out, tf->release);
	if (tf->last_day >= tf->release)
		put_date(out, tf->last_day);
	else
		putc(',', out);
	put_num(out, tf->has_anchor ? tf->anchor_total : NAN);
	fprintf(out, ",%u", tf->bounds_used);
	if (ok || mf->status == SS_FIT_FAILED)
		fprintf(out, ",%d,%d,", mf->start + 1, (int)mf->iter);
	else
		fputs(",,,", out);
	ss_csv_field(out, reason_of(tf, i, buf, sizeof buf));
	put_next(out, ds, tf, i, mo, next);
	putc('\n', out);
}

/* Parse "expdecay,powerlaw" into a model mask; 0 and a message when bad. */
static uint32_t parse_models(const char *arg)
{
	uint32_t mask = 0;
	const char *p = arg;

	while (*p) {
		size_t len = strcspn(p, ","), index;
		char name[32];

		if (len == 0 || len >= sizeof name) {
			ss_errorf("fit: --model: '%s' is not a list of model names", arg);
			return 0;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		if (!ss_model_find(name, &index)) {
			ss_errorf("fit: --model: no model named '%s'; see 'streamstat fit --help'",
				  name);
			return 0;
		}
		mask |= 1u << index;
		p += len + (p[len] == ',');
	}
	if (!mask)
		ss_errorf("fit: --model: no model named");
	return mask;
}

static void print_summary(const struct ss_fits *fits, const struct ss_dataset *ds, double secs)
{
	size_t with = 0, none = 0, fallback = 0, per_model[SS_MODELS_MAX] = {0};

	for (size_t t = 0; t < fits->n; t++) {
		const struct ss_track_fit *tf = &fits->tracks[t];
		if (ds->tracks[t].n == 0)
			continue;
		with++;
		if (tf->best < 0)
			none++;
		else {
			per_model[tf->best]++;
			fallback += tf->fallback;
		}
	}
	fprintf(stderr, "streamstat: fit: %zu tracks with data in %.3f s on %u threads", with, secs,
		fits->jobs);
	fprintf(stderr, "; %zu without a model, %zu on the recent pace alone\n", none, fallback);
	for (size_t i = 0; i < ss_nmodels; i++)
		fprintf(stderr, "streamstat: fit:   %-10s chosen for %zu\n", ss_models[i].name,
			per_model[i]);
}

int cmd_fit(int argc, char **argv)
{
	enum { OPT_AVERAGE = 256, OPT_CHOSEN, OPT_GSL_LM };
	static const struct option longopts[] = {
		SS_LOAD_LONG_OPTIONS,
		{"jobs", required_argument, NULL, 'j'},
		{"model", required_argument, NULL, 'm'},
		{"average", no_argument, NULL, OPT_AVERAGE},
		{"chosen", no_argument, NULL, OPT_CHOSEN},
		{"gsl-lm", no_argument, NULL, OPT_GSL_LM},
		{"milestones", required_argument, NULL, SS_OPT_MILESTONES},
		{"level", required_argument, NULL, SS_OPT_LEVEL},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct ss_load_options o;
	struct ss_fit_options fo = ss_fit_defaults();
	struct ss_ms_cli mc;
	int only_chosen = 0, opt, code;
	char *end;

	ss_load_options_init(&o);
	ss_ms_cli_init(&mc);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, SS_LOAD_SHORT_OPTIONS "hj:m:", longopts, NULL)) !=
	       -1) {
		int r = ss_load_option(&o, opt, optarg);
		long jobs;

		if (r == 0 && (opt == SS_OPT_MILESTONES || opt == SS_OPT_LEVEL))
			r = ss_ms_option(&mc, opt, optarg);
		if (r > 0)
			continue;
		if (r == 0) {
			switch (opt) {
			case 'j':
				jobs = strtol(optarg, &end, 10);
				if (*optarg == '\0' || *end != '\0' || jobs < 1 || jobs > 256) {
					ss_errorf("fit: --jobs: '%s' is not a number from 1 to 256",
						  optarg);
					break;
				}
				fo.jobs = (unsigned)jobs;
				continue;
			case 'm':
				fo.models = parse_models(optarg);
				if (!fo.models)
					break;
				continue;
			case OPT_AVERAGE:
				fo.select = SS_SELECT_AVERAGE;
				continue;
			case OPT_CHOSEN:
				only_chosen = 1;
				continue;
			case OPT_GSL_LM:
				fo.nls.gsl_lm = 1;
				continue;
			case 'h':
				ss_load_options_release(&o);
				ss_ms_cli_release(&mc);
				return usage(stdout, SS_EXIT_OK);
			default:
				ss_option_error("fit", opt, argv);
				break;
			}
		}
		ss_load_options_release(&o);
		ss_ms_cli_release(&mc);
		return usage(stderr, SS_EXIT_USAGE);
	}
	if (ss_load_inputs_done(&o, "fit", argc - optind, argv + optind) < 0) {
		ss_load_options_release(&o);
		ss_ms_cli_release(&mc);
		return usage(stderr, SS_EXIT_USAGE);
	}

	struct ss_dataset ds;
	struct ss_series_stats st;

	code = ss_load_data(&ds, &st, &o);
	if (code == SS_EXIT_OK) {
		struct ss_fits fits;
		double t0 = ss_seconds();

		ss_fit_all(&ds, &fo, &fits);
		if (o.verbosity >= SS_VERBOSE)
			print_summary(&fits, &ds, ss_seconds() - t0);
		print_header(stdout);
		for (size_t t = 0; t < fits.n; t++) {
			int next = next_milestone(&ds, (uint32_t)t, &mc.ms);
			for (size_t i = 0; i < ss_nmodels; i++)
				if (!only_chosen || fits.tracks[t].m[i].chosen)
					print_row(stdout, &ds, &fits.tracks[t], i, &mc.ms, next);
		}
		if (fflush(stdout) != 0 || ferror(stdout)) {
			ss_errorf("fit: cannot write the output");
			code = SS_EXIT_IOERR;
		}
		ss_fits_release(&fits);
	}
	ss_dataset_release(&ds);
	ss_load_options_release(&o);
	ss_ms_cli_release(&mc);
	return code;
}
