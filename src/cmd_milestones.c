/*
 * cmd_milestones.c - "streamstat milestones": observed and projected
 * milestone crossings of every track and album, as CSV.
 *
 * Loads the data as "check" does, fits (fit.h), optionally backtests
 * (backtest.h), projects (milestones.h), and writes one CSV row per track
 * and milestone, then per album and milestone for both album kinds.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "streamstat/backtest.h"
#include "streamstat/cli.h"
#include "streamstat/date.h"
#include "streamstat/milestones.h"
#include "streamstat/number.h"

static const char usage_head[] =
	"usage: streamstat milestones DATA.csv [MORE.csv ...] [options]\n"
	"\n"
	"When every track and album reached or will reach each milestone: observed\n"
	"dates (interpolated between sparse observations, and marked so), projected\n"
	"dates with prediction intervals, album \"every track >= M\" and \"album\n"
	"total >= M\", and album rankings.  One CSV row per track and milestone, then\n"
	"per album, milestone and kind, on stdout.  The release day is day 1.\n"
	"\n";
static const char usage_tail[] =
	"Options:\n" SS_LOAD_OPTIONS_HELP SS_MS_OPTIONS_HELP
	"      --no-backtest     project with the pace model (on its shipped record)\n"
	"                        without backtesting this input\n"
	"  -j, --jobs N          fit on N threads (default: one per CPU)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Projections use the pace model (the recent pace, aged as real songs age) where\n"
	"the backtest supports it: the backtest cuts tracks' histories 7 to 120 days\n"
	"before observed crossings, projects with every method, and keeps the one that\n"
	"beats the recent pace on 30 cuts or more without being clearly worse at any\n"
	"horizon (with fewer cuts, the pace model's record on real histories decides).\n"
	"The rule that chose goes to stderr.\n"
	"\n" SS_EXIT_CODES_HELP;

static const char backtest_head[] =
	"usage: streamstat backtest DATA.csv [MORE.csv ...] [options]\n"
	"\n"
	"Score the projections: cut each track's history 7, 14, 30, 60 and 120 days\n"
	"before every crossing observed to within a week, refit, project, and compare\n"
	"with the observed day.  One CSV row per method (each model, and \"chosen\":\n"
	"the least-AICc model) and horizon (\"all\": every horizon): cuts, dates\n"
	"given, nevers, median absolute error and bias (median signed error, positive\n"
	"is late) in days, and interval coverage.  At most 200 tracks (a seeded\n"
	"sample) are backtested.\n"
	"\n";
static const char backtest_tail[] =
	"Options:\n" SS_LOAD_OPTIONS_HELP SS_MS_OPTIONS_HELP
	"      --tracks N        backtest at most N tracks (default 200)\n"
	"  -j, --jobs N          fit on N threads (default: one per CPU)\n"
	"  -h, --help            show this help\n"
	"\n" SS_EXIT_CODES_HELP;

/* A CSV field after a comma. */
static void put_text(FILE *out, const char *s)
{
	putc(',', out);
	ss_csv_field(out, s);
}

/* A number with this many decimals, or an empty field when not finite. */
static void put_num(FILE *out, double v, int decimals)
{
	putc(',', out);
	if (isfinite(v))
		fprintf(out, "%.*f", decimals, v);
}

static void put_day(FILE *out, int32_t day)
{
	char buf[SS_DATE_LEN + 1];

	putc(',', out);
	if (day == SS_DAY_NEVER)
		fputs("never", out);
	else if (day != SS_DAY_NONE) {
		ss_date_format(day, buf);
		fputs(buf, out);
	}
}

/* A crossing's day number: a range for one only known "by" a day (see
 * ss_ms_day_text); none past the horizon ("after"). */
static void put_daynum(FILE *out, const struct ss_ms_options *o, const struct ss_crossing *c,
		       int32_t release)
{
	char buf[48];

	putc(',', out);
	if (c->status != SS_MS_AFTER)
		fputs(ss_ms_day_text(o, c, release, buf, sizeof buf), out);
}

static void put_flags(FILE *out, unsigned flags)
{
	int first = 1;

	putc(',', out);
	for (size_t i = 0; i < ss_ms_nflags; i++)
		if (flags & ss_ms_flags[i].flag) {
			fprintf(out, "%s%s", first ? "" : " ", ss_ms_flags[i].name);
			first = 0;
		}
}

static void print_header(FILE *out)
{
	fputs("kind,album,artist,track,milestone,status,how,date,day,album_day,lo,hi,model,"
	      "latest_total,pace,needed_pace,needed_by,bottleneck,bottleneck_share,rank,"
	      "vs_peer,counts,flags,reason\n",
	      out);
}

static void print_common(FILE *out, const struct ss_crossing *c)
{
	fprintf(out, ",%s", ss_ms_status_name((enum ss_ms_status)c->status));
	putc(',', out);
	if (c->status == SS_MS_REACHED)
		fputs(ss_ms_how_name((enum ss_ms_how)c->how), out);
	put_day(out, c->day);
}

static void print_track(FILE *out, const struct ss_dataset *ds, const struct ss_milestones *ms,
			const struct ss_track_ms *tm, size_t k)
{
	const struct ss_crossing *c = &tm->c[k];
	const struct ss_track *tr = &ds->tracks[tm->track];
	const struct ss_album *al = &ds->albums[tr->album];
	char buf[32], why[200];

	fputs("track", out);
	put_text(out, ss_album_name(ds, tr->album));
	put_text(out, ss_album_artist(ds, tr->album));
	put_text(out, ss_track_name(ds, tm->track));
	put_text(out, ss_milestone_format(ms->opt.milestone[k], buf));
	print_common(out, c);
	put_daynum(out, &ms->opt, c, tr->release);
	put_daynum(out, &ms->opt, c, al->release);
	put_day(out, c->lo);
	put_day(out, c->hi);
	put_text(out, c->model >= 0 ? ss_models[c->model].name : "");
	put_num(out, tm->latest_total, 0);
	put_num(out, tm->pace, 0);
	put_num(out, c->needed, 0);
	if (isfinite(c->needed))
		put_day(out, tm->target);
	else
		putc(',', out);
	fputs(",,,,", out);
	fprintf(out, ",%s", tm->counts ? "yes" : "no");
	put_flags(out, c->flags);
	put_text(out, ss_ms_track_reason(ms, tm, k, why, sizeof why));
	putc('\n', out);
}

static void print_album(FILE *out, const struct ss_dataset *ds, const struct ss_milestones *ms,
			const struct ss_album_ms *am, size_t k, int total)
{
	const struct ss_album_crossing *ax = total ? &am->total[k] : &am->all[k];
	const struct ss_crossing *c = &ax->x;
	const struct ss_album *al = &ds->albums[am->album];
	char buf[32], why[400];

	fputs(total ? "album_total" : "every_track", out);
	put_text(out, ss_album_name(ds, am->album));
	put_text(out, ss_album_artist(ds, am->album));
	put_text(out, "");
	put_text(out, ss_milestone_format(ms->opt.milestone[k], buf));
	print_common(out, c);
	put_daynum(out, &ms->opt, c, al->release);
	put_daynum(out, &ms->opt, c, al->release);
	put_day(out, c->lo);
	put_day(out, c->hi);
	put_text(out, c->model >= 0 ? ss_models[c->model].name : "");
	put_num(out, am->latest_total, 0);
	fputs(",,,", out);
	put_text(out, ax->bottleneck != SS_NONE ? ss_track_name(ds, ax->bottleneck) : "");
	put_num(out, ax->bottleneck_share, 3);
	/* a range of ranks when the crossing's range allows several */
	putc(',', out);
	if (ax->rank)
		fprintf(out, "%u", ax->rank);
	else if (ax->unranked == SS_UNRANKED_OVERLAP)
		fprintf(out, "%u..%u", ax->rank_lo, ax->rank_hi);
	put_num(out, ax->vs_peer, 3);
	fprintf(out, ",%u of %u", am->counted, am->counted + am->excluded);
	put_flags(out, c->flags);
	put_text(out, ss_ms_album_note(ds, ms, am->album, k, total, why, sizeof why));
	putc('\n', out);
}

int cmd_milestones(int argc, char **argv)
{
	enum { OPT_NO_BACKTEST = 400 };
	static const struct option longopts[] = {
		SS_LOAD_LONG_OPTIONS,
		SS_MS_LONG_OPTIONS,
		{"jobs", required_argument, NULL, 'j'},
		{"no-backtest", no_argument, NULL, OPT_NO_BACKTEST},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct ss_load_options o;
	struct ss_ms_cli mc;
	unsigned jobs = 0;
	int opt, code, backtest = 1;

	ss_load_options_init(&o);
	ss_ms_cli_init(&mc);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, SS_LOAD_SHORT_OPTIONS "hj:", longopts, NULL)) != -1) {
		int r = ss_load_option(&o, opt, optarg);
		if (r == 0)
			r = ss_ms_option(&mc, opt, optarg);
		if (r == 0 && opt == 'j')
			r = ss_parse_jobs("milestones", optarg, &jobs) == 0 ? 1 : -1;
		if (r == 0 && opt == OPT_NO_BACKTEST) {
			backtest = 0;
			r = 1;
		}
		if (r > 0)
			continue;
		if (r == 0 && opt == 'h') {
			ss_load_options_release(&o);
			ss_ms_cli_release(&mc);
			ss_usage(stdout, usage_head, usage_tail);
			return SS_EXIT_OK;
		}
		if (r == 0)
			ss_option_error("milestones", opt, argv);
		ss_load_options_release(&o);
		ss_ms_cli_release(&mc);
		ss_usage(stderr, usage_head, usage_tail);
		return SS_EXIT_USAGE;
	}
	if (ss_load_inputs_done(&o, "milestones", argc - optind, argv + optind) < 0) {
		ss_load_options_release(&o);
		ss_ms_cli_release(&mc);
		ss_usage(stderr, usage_head, usage_tail);
		return SS_EXIT_USAGE;
	}

	struct ss_dataset ds;
	struct ss_series_stats st;

	code = ss_load_data(&ds, &st, &o);
	if (code == SS_EXIT_OK)
		code = ss_ms_cli_apply(&mc, &ds, "milestones");
	if (code == SS_EXIT_OK) {
		/* with --method the backtest's rule would not be used: not run */
		struct ss_pipeline_options po =
			ss_ms_cli_pipeline(&mc, jobs, o.stale_days, backtest && !mc.method_set);
		struct ss_pipeline p;

		ss_pipeline_run(&ds, &po, &p);
		const struct ss_milestones *mp = &p.ms;
		if (p.has_bt && o.verbosity >= SS_NORMAL)
			ss_errorf("milestones: model rule: %s", p.bt.rule);
		if (o.verbosity >= SS_VERBOSE)
			ss_errorf("milestones: %zu tracks: fit %.3f s on %u threads, backtest %.3f "
				  "s, projections %.3f s",
				  mp->ntracks, p.seconds[SS_STAGE_FIT], p.fits.jobs,
				  p.seconds[SS_STAGE_BACKTEST], p.seconds[SS_STAGE_PROJECT]);
		print_header(stdout);
		for (size_t t = 0; t < mp->ntracks; t++)
			for (size_t k = 0; k < mp->opt.nmilestones; k++)
				print_track(stdout, &ds, mp, &mp->tracks[t], k);
		for (size_t a = 0; a < mp->nalbums; a++)
			for (int kind = 0; kind < 2; kind++)
				for (size_t k = 0; k < mp->opt.nmilestones; k++)
					print_album(stdout, &ds, mp, &mp->albums[a], k, kind);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			ss_errorf("milestones: cannot write the output");
			code = SS_EXIT_IOERR;
		}
		ss_pipeline_release(&p);
	}
	ss_dataset_release(&ds);
	ss_load_options_release(&o);
	ss_ms_cli_release(&mc);
	return code;
}

int cmd_backtest(int argc, char **argv)
{
	enum { OPT_TRACKS = 400 };
	static const struct option longopts[] = {SS_LOAD_LONG_OPTIONS,
						 SS_MS_LONG_OPTIONS,
						 {"jobs", required_argument, NULL, 'j'},
						 {"tracks", required_argument, NULL, OPT_TRACKS},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct ss_load_options o;
	struct ss_ms_cli mc;
	struct ss_bt_options bo = ss_bt_defaults();
	int opt, code;
	char *end;

	ss_load_options_init(&o);
	ss_ms_cli_init(&mc);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, SS_LOAD_SHORT_OPTIONS "hj:", longopts, NULL)) != -1) {
		int r = ss_load_option(&o, opt, optarg);
		if (r == 0)
			r = ss_ms_option(&mc, opt, optarg);
		if (r == 0 && opt == 'j')
			r = ss_parse_jobs("backtest", optarg, &bo.jobs) == 0 ? 1 : -1;
		if (r == 0 && opt == OPT_TRACKS) {
			long v = strtol(optarg, &end, 10);
			r = 1;
			if (*optarg == '\0' || *end != '\0' || v < 1 || v > 1000000) {
				ss_errorf("backtest: --tracks: '%s' is not a number from 1 to "
					  "1000000",
					  optarg);
				r = -1;
			}
			bo.max_tracks = (size_t)v;
		}
		if (r > 0)
			continue;
		if (r == 0 && opt == 'h') {
			ss_load_options_release(&o);
			ss_ms_cli_release(&mc);
			ss_usage(stdout, backtest_head, backtest_tail);
			return SS_EXIT_OK;
		}
		if (r == 0)
			ss_option_error("backtest", opt, argv);
		ss_load_options_release(&o);
		ss_ms_cli_release(&mc);
		ss_usage(stderr, backtest_head, backtest_tail);
		return SS_EXIT_USAGE;
	}
	if (ss_load_inputs_done(&o, "backtest", argc - optind, argv + optind) < 0) {
		ss_load_options_release(&o);
		ss_ms_cli_release(&mc);
		ss_usage(stderr, backtest_head, backtest_tail);
		return SS_EXIT_USAGE;
	}

	struct ss_dataset ds;
	struct ss_series_stats st;

	code = ss_load_data(&ds, &st, &o);
	if (code == SS_EXIT_OK) {
		struct ss_backtest bt;

		bo.ms = mc.ms;
		bo.fit.jobs = bo.jobs;
		ss_backtest_run(&ds, &bo, &bt);
		fputs("method,horizon_days,cuts,dated,never,median_abs_error_days,bias_days,judged,"
		      "covered,coverage\n",
		      stdout);
		for (size_t i = 0; i < SS_BT_METHODS; i++) {
			if (!ss_bt_scored(&bt, i))
				continue;
			for (size_t h = 0; h <= SS_BT_HORIZONS; h++) {
				const struct ss_bt_score *s = &bt.score[i][h];
				fprintf(stdout, "%s,", ss_bt_method_name(i));
				if (h < SS_BT_HORIZONS)
					fprintf(stdout, "%d", (int)ss_bt_horizons[h]);
				else
					fputs("all", stdout);
				fprintf(stdout, ",%u,%u,%u", s->cases, s->projected, s->never);
				put_num(stdout, s->median_abs, 1);
				put_num(stdout, s->bias, 1);
				fprintf(stdout, ",%u,%u", s->judged, s->covered);
				put_num(stdout, s->coverage, 3);
				putc('\n', stdout);
			}
		}
		if (o.verbosity >= SS_NORMAL) {
			ss_errorf("backtest: %zu tracks of %zu with a crossing known to within a "
				  "week, %zu cuts",
				  bt.tracks_used, bt.tracks_eligible, bt.cases);
			ss_errorf("backtest: model rule: %s", bt.rule);
		}
		if (fflush(stdout) != 0 || ferror(stdout)) {
			ss_errorf("backtest: cannot write the output");
			code = SS_EXIT_IOERR;
		}
	}
	ss_dataset_release(&ds);
	ss_load_options_release(&o);
	ss_ms_cli_release(&mc);
	return code;
}
