/*
 * sipfed check: federation readiness of SIP domains, one or a million.
 *
 * A thin bulk layer over the run API (include/sipfed/run.h): the command
 * line becomes a stream of jobs (the -f file, read one line per job, then
 * the DOMAIN arguments, then the allow list's other domains, then the SBCs),
 * filtered by --shard and --resume, fed to one run; each result the run
 * hands over is written whole (text, json, or a JSONL line), counted for the
 * summary, and for the exit status.  Which check a job is (domain, callback,
 * allow-list entry, SBC) is said by its kind; the library does the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_fed.h"
#include "out/textw.h"
#include "rules/rules.h"
#include "sipfed/run.h"
#include "util/util.h"

/* getopt_long values of check only (kept clear of the shared enum of cli.h and of cli_fed.h). */
enum { OPT_CLIENT = 1900, OPT_RESUME, OPT_SHARD, OPT_QUIET, OPT_DEADLINE };
/* Issue 12 (output shaping, monitoring): --brief, --all, --ignore, --lab, --expiry-days, ... */
enum { OPT_BRIEF = 1950, OPT_ALL, OPT_IGNORE, OPT_LAB, OPT_NO_LAB, OPT_EXPIRY_DAYS,
       OPT_FAIL_ON };

/*
 * Formats of check only, beside text / json / jsonl of cli.h: taken from
 * --format before the common options see it (the common enum is unchanged).
 */
enum check_fmt { FMT_COMMON = 0, FMT_CSV, FMT_NAGIOS };

/* Monitoring Plugins exit statuses (--format nagios). */
#define NAGIOS_OK 0
#define NAGIOS_WARNING 1
#define NAGIOS_CRITICAL 2
#define NAGIOS_UNKNOWN 3
#define EXPIRY_DAYS_MAX 3650

#define CONCURRENCY_DEFAULT 64
#define CONCURRENCY_MAX 100000
#define SHARD_MAX 1000000
#define NAME_MAX_LEN 253
/* -f bounds: a line holds a name or a SIP URI and a comment; errors name the line. */
#define LIST_LINE_MAX 4096
#define LIST_LINES_MAX 100000000
#define LIST_SIZE_MAX_GIB 4
#define LIST_SIZE_MAX ((uint64_t)LIST_SIZE_MAX_GIB << 30)
#define STR_(x) #x
#define STR(x) STR_(x)
#define TOP_CHECKS 5

void cli_usage_check(FILE *fp)
{
	fputs("usage: sipfed check [OPTIONS] DOMAIN...\n"
	      "       sipfed check [OPTIONS] -f FILE        (one domain a line, '-' = stdin)\n"
	      "       sipfed check --peer-cert FILE | --peer-host HOST[:PORT] DOMAIN...\n"
	      "       sipfed check --profile dr --sbc FQDN[:PORT]...\n"
	      "\n"
	      "Evaluates the DNS, network, TLS and certificate rules a Skype for Business Edge\n"
	      "applies to the federation SRV record _sipfederationtls._tcp.DOMAIN and its targets.\n"
	      "\n"
	      "  --zone FILE[@ORIGIN]   offline DNS from this master file (repeatable); @ORIGIN for\n"
	      "                         a file without $ORIGIN or absolute SOA owner (else the file\n"
	      "                         name: x.zone, x.dns, x.db, db.x); a domain no file covers\n"
	      "                         is an error; TLS is then read from --certs only\n"
	      "  --certs DIR            offline TLS: DIR/<fqdn>.pem is the chain (leaf first)\n"
	      "  --resolver IP[:PORT]   live DNS through this server (default: system resolver;\n"
	      "                         not with --zone)\n"
	      "  --timeout MS           per network operation (default 5000)\n"
	      "  --trust FILE           extra trusted roots, PEM (repeatable)\n"
	      "  --no-system-trust      trust only --trust roots\n"
	      "  --at TIME              evaluate validity at this RFC 3339 time\n"
	      "  --hosting-provider FQDN  add to the built-in hosting-provider list\n"
	      "  --profile P            sfb (default), o365 or dr\n"
	      "  --format F             text (default), json, jsonl or html (one self-contained\n"
	      "                         page: summary, charts, a sortable table); --json =\n"
	      "                         --format json\n"
	      "  --color, --no-color    force colour on or off (default: on a terminal, unless\n"
	      "                         NO_COLOR is set)\n"
	      "  --no-probe             do not probe misspelt SRV names when none exists (DNS-002)\n"
	      "  --client               also check client discovery (CLI-001..004): _sip._tls,\n"
	      "                         lyncdiscover over HTTPS and HTTP, meet and dialin; offline,\n"
	      "                         DIR/<fqdn>.autodiscover.json is what a host answers\n"
	      "  -f, --file FILE        read domains from FILE, one a line ('-' = stdin); '#'\n"
	      "                         comments, a BOM and CRLF accepted; a sip: URI or\n"
	      "                         user@domain stands for its domain\n"
	      "\n"
	      "bulk:\n"
	      "  --deadline MS          per domain: a check still waiting for answers then ends\n"
	      "                         with verdict error (default 8 x --timeout, at least 30 s)\n"
	      "  --concurrency N        domains in flight (1..100000, default 64); text and json\n"
	      "                         keep the input order, jsonl is written as results come\n"
	      "  --resume FILE          skip the domains already in FILE (an earlier jsonl\n"
	      "                         output) and append the new results to it (implies\n"
	      "                         --format jsonl)\n"
	      "  --shard I/N            keep the domains whose hash (64-bit FNV-1a of the\n"
	      "                         lowercased name without trailing dot) mod N is I\n"
	      "                         (0 <= I < N <= 1000000)\n"
	      "  --quiet                no progress or summary on stderr, no per-domain error\n"
	      "                         lines, no notes on the domain arguments\n"
	      "\n"
	      "output and exit status:\n"
	      "  --format csv           one row per finding (RFC 4180, header row): domain,\n"
	      "                         verdict, id, severity, subject, message, fix,\n"
	      "                         ms_diagnostics, result_code, hresult; a domain without\n"
	      "                         findings has one row with empty finding fields\n"
	      "  --format nagios        one Monitoring Plugins line: SIPFED OK|WARNING|CRITICAL|\n"
	      "                         UNKNOWN - text | perfdata (days to the nearest certificate\n"
	      "                         expiry, findings per severity); exit 0/1/2/3\n"
	      "  --brief                text: one line per domain (domain, verdict, check IDs)\n"
	      "  --all                  text: every finding in every domain's block (by default a\n"
	      "                         warning or info repeated across domains is written once,\n"
	      "                         after the blocks, with the domains that have it)\n"
	      "  --ignore ID[,ID]       drop these checks (repeatable); the summary lists them;\n"
	      "                         the exit status is computed without them\n"
	      "  --lab                  lab addresses and names are expected: DNS-009 (private or\n"
	      "                         documentation address), DNS-010 and CERT-011 are dropped\n"
	      "                         (json keeps them; the exit status does not count them);\n"
	      "                         text, csv and nagios do this by default for a domain under\n"
	      "                         a non-public suffix whose addresses are all private\n"
	      "  --no-lab               do not drop them, even for such domains\n"
	      "  --expiry-days N        CERT-004 warns about certificates that expire within N\n"
	      "                         days (default 30; 1..3650)\n"
	      "  --fail-on S            error (default): exit 1 on an error finding; warning: on a\n"
	      "                         warning too\n",
	      fp);
	fputs(cli_fed_usage, fp);
	fputs(cli_data_dir_usage, fp);
	fputs("\n"
	      "exit status: 0 no error finding, 1 an error finding (or a warning, with --fail-on\n"
	      "warning), 2 usage or operational failure (or a domain that could not be checked),\n"
	      "130 / 143 interrupted by SIGINT / SIGTERM; --format nagios: 0 OK, 1 WARNING,\n"
	      "2 CRITICAL, 3 UNKNOWN (could not run)\n",
	      fp);
}

/* --- names: normalised form, the shard hash, a set ---------------------------- */

/* Lowercase (ASCII), without one trailing dot, into @out (truncated to @cap - 1). */
static size_t norm_name(const char *in, char *out, size_t cap)
{
	size_t n = 0;

	for (; *in && n + 1 < cap; in++)
		out[n++] = (*in >= 'A' && *in <= 'Z') ? (char)(*in - 'A' + 'a') : *in;
	if (n > 0 && out[n - 1] == '.')
		n--;
	out[n] = '\0';
	return n;
}

/* 64-bit FNV-1a: the shard hash (documented in sipfed(1) and docs/bulk.md). */
static uint64_t fnv1a64(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* A set of strings (open addressing, linear probing). */
typedef struct strset {
	char **v;
	size_t cap, n;
} strset;

static int strset_grow(strset *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64;
	char **v = calloc(cap, sizeof(*v));

	if (!v)
		return -1;
	for (size_t i = 0; i < s->cap; i++) {
		size_t k;

		if (!s->v[i])
			continue;
		k = fnv1a64(s->v[i], strlen(s->v[i])) & (cap - 1);
		while (v[k])
			k = (k + 1) & (cap - 1);
		v[k] = s->v[i];
	}
	free(s->v);
	s->v = v;
	s->cap = cap;
	return 0;
}

static int strset_has(const strset *s, const char *str)
{
	size_t k;

	if (s->n == 0)
		return 0;
	k = fnv1a64(str, strlen(str)) & (s->cap - 1);
	for (; s->v[k]; k = (k + 1) & (s->cap - 1))
		if (strcmp(s->v[k], str) == 0)
			return 1;
	return 0;
}

/* 1 added, 0 already there, -1 out of memory. */
static int strset_add(strset *s, const char *str)
{
	size_t k;

	if (strset_has(s, str))
		return 0;
	if ((s->n + 1) * 2 > s->cap && strset_grow(s) < 0)
		return -1;
	k = fnv1a64(str, strlen(str)) & (s->cap - 1);
	while (s->v[k])
		k = (k + 1) & (s->cap - 1);
	if (!(s->v[k] = strdup(str)))
		return -1;
	s->n++;
	return 1;
}

static void strset_free(strset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* --- the job source: -f lines, DOMAIN arguments, allow list, SBCs ------------- */

typedef struct filters {
	uint64_t shard_i, shard_n; /* shard_n 0: no --shard */
	const strset *done;        /* --resume: normalised names already checked */
} filters;

typedef struct src {
	const char *file; /* -f, or NULL */
	FILE *fp;
	char *line;
	size_t cap, lineno;
	uint64_t bytes; /* read so far */
	char **args;
	int n_args, ai;
	const sf_allow_list *allow;
	strset allow_names; /* normalised names of the allow list */
	strset allow_seen;  /* those already given as a job */
	size_t alli;
	const char **sbcs;
	size_t n_sbcs, sbi;
	int callback;
	int phase;
	int notes; /* say on stderr what a DOMAIN argument was taken as */
	char argbuf[1024];
	const filters *flt;
	uint64_t raw; /* items before the filters */
	char name[1024];
	char err[1200];
} src;

/*
 * The domain of a -f line: the first word, without '#' comment; a sip: /
 * sips: URI or user@domain stands for its domain.  NULL if the line has none.
 */
static char *line_domain(char *s, int first)
{
	char *at;

	if (first && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
	    (unsigned char)s[2] == 0xBF)
		s += 3;
	s += strspn(s, " \t\v\f\r\n");
	s[strcspn(s, " \t\v\f\r\n#")] = '\0';
	if (!*s)
		return NULL;
	if (strncasecmp(s, "sip:", 4) == 0)
		s += 4;
	else if (strncasecmp(s, "sips:", 5) == 0)
		s += 5;
	else if (!strchr(s, '@'))
		return s;
	at = strrchr(s, '@');
	if (at)
		s = at + 1;
	s[strcspn(s, ";?>:")] = '\0';
	return s;
}

/*
 * A DOMAIN argument as admins have it: a sip: / sips: URI, user@domain or a
 * name with a trailing dot stands for its domain (as on -f lines); with
 * s->notes, a note on stderr says what it was taken as.
 */
static const char *arg_domain(src *s, const char *arg)
{
	char *d;
	size_t n;

	snprintf(s->argbuf, sizeof(s->argbuf), "%s", arg);
	d = line_domain(s->argbuf, 0);
	if (!d || !*d)
		return arg; /* the check says what is wrong with it */
	n = strlen(d);
	if (n > 1 && d[n - 1] == '.')
		d[n - 1] = '\0';
	if (strcmp(d, arg) != 0 && s->notes)
		fprintf(stderr, "sipfed: note: '%s': checking the SIP domain %s\n", arg, d);
	return d;
}

/*
 * -f FILE: a regular file, or a FIFO / pipe read as a stream as standard
 * input is ('-'); devices and directories are refused (sf_input_open: opened
 * with O_NONBLOCK, so a FIFO without a writer cannot block, and ends at once).
 */
static int src_open(src *s, const char *file, int use_stdin)
{
	char err[1200];
	int fd;

	s->file = use_stdin ? "standard input" : file;
	if (!file)
		return 0;
	if (use_stdin) {
		s->fp = stdin;
		return 0;
	}
	fd = sf_input_open(file, err, sizeof(err));
	if (fd < 0) {
		cli_error("%s", err);
		return -1;
	}
	s->fp = fdopen(fd, "r");
	if (!s->fp) {
		cli_error("cannot read '%s': %s", file, strerror(errno));
		close(fd);
		return -1;
	}
	return 0;
}

static int src_init_allow(src *s, const sf_allow_list *allow)
{
	char n[1024];

	s->allow = allow;
	for (size_t i = 0; allow && i < allow->n; i++) {
		norm_name(allow->v[i].domain, n, sizeof(n));
		if (strset_add(&s->allow_names, n) < 0)
			return -1;
	}
	return 0;
}

static void src_close(src *s)
{
	if (s->fp && s->fp != stdin)
		fclose(s->fp);
	s->fp = NULL;
	free(s->line);
	s->line = NULL;
	strset_free(&s->allow_names);
	strset_free(&s->allow_seen);
}

/* Whether the filters keep the item whose normalised name is @n. */
static int keep(const filters *f, const char *n)
{
	if (f->shard_n && fnv1a64(n, strlen(n)) % f->shard_n != f->shard_i)
		return 0;
	if (f->done && strset_has(f->done, n))
		return 0;
	return 1;
}

/*
 * The next job: 1 (*kind, s->name set), 0 at the end, -1 on an error
 * (s->err says which).
 */
static int src_next(src *s, sf_job_kind *kind)
{
	char n[1024];
	const char *item;
	ssize_t len;

	for (;;) {
		item = NULL;
		switch (s->phase) {
		case 0: /* -f FILE */
			if (!s->fp) {
				s->phase++;
				continue;
			}
			errno = 0;
			len = sf_read_line(s->fp, &s->line, &s->cap, LIST_LINE_MAX);
			if (len == -2 || (len > 0 && s->lineno + 1 > LIST_LINES_MAX) ||
			    (len > 0 && (uint64_t)len > LIST_SIZE_MAX - s->bytes)) {
				snprintf(s->err, sizeof(s->err), "'%s' line %zu: %s", s->file,
					 s->lineno + 1, len == -2 ? "line longer than "
					 STR(LIST_LINE_MAX) " bytes: not a list of domains"
					 : s->lineno + 1 > LIST_LINES_MAX ? "more than "
					 STR(LIST_LINES_MAX) " lines" : "more than "
					 STR(LIST_SIZE_MAX_GIB) " GiB of input");
				return -1;
			}
			if (len < 0) {
				snprintf(s->err, sizeof(s->err), "cannot read '%s': %s", s->file,
					 strerror(errno ? errno : EIO));
				return -1;
			}
			if (len == 0) {
				s->phase++;
				continue;
			}
			s->lineno++;
			s->bytes += (uint64_t)len;
			if (memchr(s->line, '\0', (size_t)len)) {
				snprintf(s->err, sizeof(s->err),
					 "'%s' line %zu: NUL byte: not a list of domains", s->file,
					 s->lineno);
				return -1;
			}
			item = line_domain(s->line, s->lineno == 1);
			if (!item)
				continue;
			if (strlen(item) > NAME_MAX_LEN) {
				snprintf(s->err, sizeof(s->err),
					 "'%s' line %zu: name too long (%zu bytes; a domain name has "
					 "at most %d)", s->file, s->lineno, strlen(item), NAME_MAX_LEN);
				return -1;
			}
			*kind = s->callback ? SF_JOB_CALLBACK : SF_JOB_DOMAIN;
			break;
		case 1: /* DOMAIN arguments */
			if (s->ai >= s->n_args) {
				s->phase++;
				continue;
			}
			item = arg_domain(s, s->args[s->ai++]);
			*kind = s->callback ? SF_JOB_CALLBACK : SF_JOB_DOMAIN;
			break;
		case 2: /* the allow list's domains not given above */
			if (!s->allow || s->alli >= s->allow->n) {
				s->phase++;
				continue;
			}
			item = s->allow->v[s->alli++].domain;
			norm_name(item, n, sizeof(n));
			if (strset_has(&s->allow_seen, n))
				continue;
			*kind = SF_JOB_ALLOW;
			break;
		case 3: /* --sbc */
			if (s->sbi >= s->n_sbcs) {
				s->phase++;
				continue;
			}
			item = s->sbcs[s->sbi++];
			*kind = SF_JOB_SBC;
			break;
		default:
			return 0;
		}
		norm_name(item, n, sizeof(n));
		if (*kind == SF_JOB_SBC) /* its result names the FQDN, without the port */
			n[strcspn(n, ":")] = '\0';
		if (s->allow && *kind != SF_JOB_SBC && strset_has(&s->allow_names, n) &&
		    strset_add(&s->allow_seen, n) < 0) {
			snprintf(s->err, sizeof(s->err), "out of memory");
			return -1;
		}
		s->raw++;
		if (!keep(s->flt, n))
			continue;
		snprintf(s->name, sizeof(s->name), "%s", item);
		return 1;
	}
}

/* --- the summary ------------------------------------------------------------------ */

/*
 * Several rules may share one check ID (DNS-005 for two causes): the
 * summary counts IDs, each by the first rule of the table that has it.
 */
static sf_rule id_rule(sf_rule r)
{
	static int init;
	static sf_rule first[SF_R_COUNT];

	if (!init) {
		for (int i = 0; i < SF_R_COUNT; i++) {
			first[i] = (sf_rule)i;
			for (int k = 0; k < i; k++)
				if (strcmp(sf_rule_get((sf_rule)k)->id,
					   sf_rule_get((sf_rule)i)->id) == 0) {
					first[i] = (sf_rule)k;
					break;
				}
		}
		init = 1;
	}
	return (unsigned)r < SF_R_COUNT ? first[r] : r;
}

typedef struct summary {
	uint64_t domains, verdicts[4];
	uint64_t checks[SF_R_COUNT]; /* domains with a warning or error of the rule */
	int worst;                   /* exit status the results give */
} summary;

static void summary_verdict(summary *s, sf_verdict v)
{
	s->domains++;
	if ((unsigned)v < 4)
		s->verdicts[v]++;
	if (v == SF_VERDICT_ERROR)
		s->worst = CLI_EXIT_FAILURE;
	else if (v == SF_VERDICT_FAIL && s->worst == CLI_EXIT_OK)
		s->worst = CLI_EXIT_FINDINGS;
}

static void summary_add(summary *s, const sf_result *r)
{
	unsigned char seen[SF_R_COUNT] = { 0 };

	summary_verdict(s, r->verdict);
	for (size_t i = 0; i < r->findings.n; i++) {
		const sf_finding *f = &r->findings.v[i];

		sf_rule id = id_rule(f->rule);

		if ((f->severity == SF_SEV_ERROR || f->severity == SF_SEV_WARN) &&
		    (unsigned)id < SF_R_COUNT && !seen[id]) {
			seen[id] = 1;
			s->checks[id]++;
		}
	}
}

/* The rules with a count, most frequent first (ties by ID); returns how many. */
static size_t summary_order(const summary *s, sf_rule *order)
{
	size_t n = 0;

	for (int r = 0; r < SF_R_COUNT; r++)
		if (s->checks[r])
			order[n++] = (sf_rule)r;
	for (size_t i = 1; i < n; i++) {
		for (size_t k = i; k > 0; k--) {
			sf_rule a = order[k - 1], b = order[k];
			int swap = s->checks[b] > s->checks[a] ||
				   (s->checks[b] == s->checks[a] &&
				    strcmp(sf_rule_get(b)->id, sf_rule_get(a)->id) < 0);

			if (!swap)
				break;
			order[k - 1] = b;
			order[k] = a;
		}
	}
	return n;
}

/* "N domains: P pass, W warn, F fail, E error; most frequent: ID (n), ..." */
static char *summary_line(const summary *s)
{
	sf_rule order[SF_R_COUNT];
	size_t n = summary_order(s, order);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (!fp)
		return NULL;
	fprintf(fp, "%" PRIu64 " domain%s: %" PRIu64 " pass, %" PRIu64 " warn, %" PRIu64
		" fail, %" PRIu64 " error",
		s->domains, s->domains == 1 ? "" : "s", s->verdicts[SF_VERDICT_PASS],
		s->verdicts[SF_VERDICT_WARN], s->verdicts[SF_VERDICT_FAIL],
		s->verdicts[SF_VERDICT_ERROR]);
	for (size_t i = 0; i < n && i < TOP_CHECKS; i++)
		fprintf(fp, "%s%s (%" PRIu64 ")", i ? ", " : "; most frequent: ",
			sf_rule_get(order[i])->id, s->checks[order[i]]);
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ,"summary":{...} of the json format. */
static char *summary_json(const summary *s)
{
	sf_rule order[SF_R_COUNT];
	size_t n = summary_order(s, order);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (!fp)
		return NULL;
	fprintf(fp, "\"summary\":{\"domains\":%" PRIu64 ",\"pass\":%" PRIu64 ",\"warn\":%" PRIu64
		",\"fail\":%" PRIu64 ",\"error\":%" PRIu64 ",\"checks\":{",
		s->domains, s->verdicts[SF_VERDICT_PASS], s->verdicts[SF_VERDICT_WARN],
		s->verdicts[SF_VERDICT_FAIL], s->verdicts[SF_VERDICT_ERROR]);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%s\"%s\":%" PRIu64, i ? "," : "", sf_rule_get(order[i])->id,
			s->checks[order[i]]);
	fputs("}}", fp);
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* --- --resume: reading an earlier JSONL output ------------------------------------- */

/* A reader of one JSON line: just enough to take domain, verdict and findings. */
typedef struct jp {
	const char *p, *end;
} jp;

static void jp_ws(jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n'))
		j->p++;
}

/* A string into @out (NULL: skipped); \u escapes outside ASCII become '?'. */
static int jp_string(jp *j, char *out, size_t cap)
{
	size_t n = 0;

	jp_ws(j);
	if (j->p >= j->end || *j->p != '"')
		return -1;
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		char c = *j->p++;

		if ((unsigned char)c < 0x20)
			return -1;
		if (c == '\\') {
			if (j->p >= j->end)
				return -1;
			c = *j->p++;
			switch (c) {
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case '"': case '\\': case '/': break;
			case 'u': {
				unsigned v = 0;

				for (int i = 0; i < 4; i++) {
					char h = j->p < j->end ? *j->p++ : 0;

					v <<= 4;
					if (h >= '0' && h <= '9')
						v |= (unsigned)(h - '0');
					else if (h >= 'a' && h <= 'f')
						v |= (unsigned)(h - 'a' + 10);
					else if (h >= 'A' && h <= 'F')
						v |= (unsigned)(h - 'A' + 10);
					else
						return -1;
				}
				c = v < 0x80 ? (char)v : '?';
				break;
			}
			default:
				return -1;
			}
		}
		if (out && n + 1 < cap)
			out[n++] = c;
	}
	if (j->p >= j->end)
		return -1;
	j->p++;
	if (out)
		out[n] = '\0';
	return 0;
}

static int jp_skip(jp *j, int depth)
{
	jp_ws(j);
	if (j->p >= j->end || depth > 64)
		return -1;
	if (*j->p == '"')
		return jp_string(j, NULL, 0);
	if (*j->p == '{' || *j->p == '[') {
		char close = *j->p == '{' ? '}' : ']';
		int obj = *j->p == '{';

		j->p++;
		jp_ws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return 0;
		}
		for (;;) {
			if (obj) {
				if (jp_string(j, NULL, 0) < 0)
					return -1;
				jp_ws(j);
				if (j->p >= j->end || *j->p++ != ':')
					return -1;
			}
			if (jp_skip(j, depth + 1) < 0)
				return -1;
			jp_ws(j);
			if (j->p >= j->end)
				return -1;
			if (*j->p == ',') {
				j->p++;
				continue;
			}
			if (*j->p++ != close)
				return -1;
			return 0;
		}
	}
	/* number, true, false, null */
	if (!strchr("-0123456789tfn", *j->p))
		return -1;
	while (j->p < j->end && !strchr(",}] \t\r\n", *j->p))
		j->p++;
	return 0;
}

static int rule_of_id(const char *id, sf_rule *out)
{
	for (int r = 0; r < SF_R_COUNT; r++)
		if (strcmp(sf_rule_get((sf_rule)r)->id, id) == 0) {
			*out = (sf_rule)r;
			return 0;
		}
	return -1;
}

/* The findings array of a result line: counts its warning and error IDs once each. */
static int jp_findings(jp *j, summary *s)
{
	unsigned char seen[SF_R_COUNT] = { 0 };

	jp_ws(j);
	if (j->p >= j->end || *j->p++ != '[')
		return -1;
	jp_ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		return 0;
	}
	for (;;) {
		char id[64] = "", sev[32] = "", key[32];
		sf_rule rule;

		jp_ws(j);
		if (j->p >= j->end || *j->p++ != '{')
			return -1;
		for (;;) {
			if (jp_string(j, key, sizeof(key)) < 0)
				return -1;
			jp_ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return -1;
			if (strcmp(key, "id") == 0) {
				if (jp_string(j, id, sizeof(id)) < 0)
					return -1;
			} else if (strcmp(key, "severity") == 0) {
				if (jp_string(j, sev, sizeof(sev)) < 0)
					return -1;
			} else if (jp_skip(j, 2) < 0) {
				return -1;
			}
			jp_ws(j);
			if (j->p < j->end && *j->p == ',') {
				j->p++;
				continue;
			}
			if (j->p >= j->end || *j->p++ != '}')
				return -1;
			break;
		}
		if ((strcmp(sev, "error") == 0 || strcmp(sev, "warning") == 0) &&
		    rule_of_id(id, &rule) == 0 && !seen[rule]) {
			seen[rule] = 1;
			s->checks[rule]++;
		}
		jp_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p >= j->end || *j->p++ != ']')
			return -1;
		return 0;
	}
}

/* One line of the resume file: its domain into @dom, its verdict and IDs into @s. */
static int resume_line(const char *line, size_t len, char *dom, size_t cap, summary *s)
{
	static const char *const verdicts[] = { "pass", "warn", "fail", "error" };
	jp j = { line, line + len };
	summary one = { 0 };
	char key[32], verdict[16] = "";
	int v = -1;

	dom[0] = '\0';
	jp_ws(&j);
	if (j.p >= j.end || *j.p++ != '{')
		return -1;
	for (;;) {
		if (jp_string(&j, key, sizeof(key)) < 0)
			return -1;
		jp_ws(&j);
		if (j.p >= j.end || *j.p++ != ':')
			return -1;
		if (strcmp(key, "domain") == 0) {
			if (jp_string(&j, dom, cap) < 0)
				return -1;
		} else if (strcmp(key, "verdict") == 0) {
			if (jp_string(&j, verdict, sizeof(verdict)) < 0)
				return -1;
		} else if (strcmp(key, "findings") == 0) {
			if (jp_findings(&j, &one) < 0)
				return -1;
		} else if (jp_skip(&j, 1) < 0) {
			return -1;
		}
		jp_ws(&j);
		if (j.p < j.end && *j.p == ',') {
			j.p++;
			continue;
		}
		if (j.p >= j.end || *j.p++ != '}')
			return -1;
		break;
	}
	jp_ws(&j);
	for (int i = 0; i < 4; i++)
		if (strcmp(verdict, verdicts[i]) == 0)
			v = i;
	if (j.p != j.end || !dom[0] || v < 0)
		return -1;
	summary_verdict(s, (sf_verdict)v);
	for (int r = 0; r < SF_R_COUNT; r++)
		s->checks[r] += one.checks[r];
	return 0;
}

/*
 * Reads @path (created if missing): the names of its results into @done,
 * their verdicts and IDs into @s.  A last line without its newline (cut by a
 * kill) is dropped: the file is truncated to its last complete line.
 * Returns the descriptor to append to, or -1 after printing the error.
 */
static int resume_open(const char *path, strset *done, summary *s, uint64_t *n_done)
{
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	FILE *fp = NULL;
	char *line = NULL, dom[1024], n[1024];
	size_t cap = 0, lineno = 0;
	off_t good = 0;
	ssize_t len;
	struct stat st;

	if (fd < 0) {
		cli_error("cannot open '%s' (--resume): %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		cli_error("cannot resume '%s': not a regular file", path);
		goto fail;
	}
	fp = fopen(path, "r");
	if (!fp) {
		cli_error("cannot read '%s' (--resume): %s", path, strerror(errno));
		goto fail;
	}
	while ((len = getline(&line, &cap, fp)) > 0) {
		lineno++;
		if (line[len - 1] != '\n')
			break; /* cut: dropped */
		if (strspn(line, " \t\r\n") == (size_t)len) {
			good += len;
			continue;
		}
		if (resume_line(line, (size_t)len, dom, sizeof(dom), s) < 0) {
			cli_error("'%s' line %zu: not a result line of 'sipfed check --format jsonl' "
				  "(--resume appends to such a file)", path, lineno);
			goto fail;
		}
		norm_name(dom, n, sizeof(n));
		if (strset_add(done, n) < 0) {
			cli_error("out of memory");
			goto fail;
		}
		(*n_done)++;
		good += len;
	}
	if (ferror(fp)) {
		cli_error("cannot read '%s' (--resume): %s", path, strerror(errno ? errno : EIO));
		goto fail;
	}
	if (good < st.st_size && ftruncate(fd, good) < 0) {
		cli_error("cannot truncate '%s' to its last complete line: %s", path,
			  strerror(errno));
		goto fail;
	}
	fclose(fp);
	free(line);
	return fd;
fail:
	if (fp)
		fclose(fp);
	free(line);
	close(fd);
	return -1;
}

/* --- the run: output, progress, signals -------------------------------------------- */

/*
 * What check makes of the results before writing them (issue 12): the
 * checks dropped (--ignore, --lab), the text layout (--brief, --all, the
 * groups), the exit status (--fail-on), and what --format nagios sums up.
 */
typedef struct shape {
	enum check_fmt fmt;         /* csv, nagios, or FMT_COMMON (bulk.format says) */
	int brief, all;
	int lab;                    /* 1 --lab, 0 --no-lab, -1 by default (per domain) */
	int fail_on;                /* SF_SEV_ERROR or SF_SEV_WARN */
	unsigned char ign[SF_R_COUNT]; /* --ignore, per rule of the table */
	int any_ignore;
	uint64_t ignored[SF_R_COUNT];  /* findings dropped, counted by check ID (id_rule) */
	uint64_t lab_findings, lab_domains;
	uint64_t sev[4];            /* findings per severity, after the drops */
	long min_days;              /* the nearest certificate expiry (days_left) */
	char min_days_host[256];
	int have_days;
	int expiry_days;
	uint64_t csv_rows;
	/* text, grouped: the results, held until the end (in input order) */
	sf_result **held;
	size_t n_held, cap_held;
	char first_error[512];      /* nagios: the reason of the first domain not checked */
	int nagios_done;
} shape;

typedef struct bulk {
	enum cli_format format;
	shape sh;
	int color, quiet;
	int out_fd;          /* 1, or the --resume file */
	int out_tty;         /* out_fd is a terminal: clear the progress line first */
	int json_open;       /* "{"version":1,"results":[" written */
	uint64_t written;    /* results written by this run */
	int write_errno;
	int progress_on, progress_shown;
	uint64_t total;      /* jobs of this run; 0 with total_known 0: unknown */
	int total_known;
	char progress[160];
	summary sum;
	src *feed;
	sf_run *run;
	sf_html_writer *html; /* --format html: the report, written as results come */
} bulk;


/* --- shaping the results: --ignore, --lab, --brief, groups, csv, nagios ------------ */

/* The rules --lab drops: what a lab of private addresses and names always has. */
static int lab_rule(sf_rule r)
{
	return r == SF_R_DNS009_PRIVATE || r == SF_R_DNS010_NOT_PUBLIC || r == SF_R_CERT011_INTERNAL;
}

/*
 * Is @r a lab domain, for the default of --lab: under a non-public suffix
 * (DNS-010) and none of its SRV targets at a public address.
 */
static int lab_domain(const sf_result *r)
{
	int not_public = 0;

	for (size_t i = 0; i < r->findings.n; i++)
		not_public |= r->findings.v[i].rule == SF_R_DNS010_NOT_PUBLIC;
	if (!not_public)
		return 0;
	for (size_t i = 0; i < r->n_srv; i++)
		for (size_t k = 0; k < r->srv[i].n_addresses; k++)
			if (r->srv[i].addresses[k] &&
			    !sf_rules_address_class(r->srv[i].addresses[k]))
				return 0;
	return 1;
}

static void drop_finding(sf_findings *fs, size_t i)
{
	free(fs->v[i].subject);
	free(fs->v[i].message);
	free(fs->v[i].fix);
	memmove(&fs->v[i], &fs->v[i + 1], (fs->n - i - 1) * sizeof(fs->v[0]));
	fs->n--;
}

/* --ignore ID[,ID]: marks every rule of the table with such an ID.  0, or -1 (message). */
static int parse_ignore(shape *sh, const char *arg)
{
	char buf[256];
	char *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		int found = 0;

		for (int r = 0; r < SF_R_COUNT; r++)
			if (strcasecmp(sf_rule_get((sf_rule)r)->id, tok) == 0) {
				sh->ign[r] = 1;
				found = 1;
			}
		if (!found) {
			cli_error("invalid --ignore '%s': no check has the ID '%s' (IDs such as "
				  "DNS-010, CERT-008: see sipfed(1))", arg, tok);
			return -1;
		}
		sh->any_ignore = 1;
	}
	return 0;
}

/*
 * Drops what --ignore and --lab drop from @r (the json formats keep the lab
 * findings: @keep_lab) and recomputes the verdict.  Returns the highest
 * severity left that counts for the exit status (without the lab findings
 * in any case).
 */
static sf_severity shape_result(bulk *b, sf_result *r)
{
	shape *sh = &b->sh;
	int keep_lab = b->format != CLI_TEXT && sh->fmt == FMT_COMMON;
	int lab = sh->lab > 0 || (sh->lab < 0 && !keep_lab && lab_domain(r));
	sf_severity max = SF_SEV_NONE;
	uint64_t lab_n = 0;

	for (size_t i = 0; i < r->findings.n;) {
		sf_finding *f = &r->findings.v[i];

		if ((unsigned)f->rule < SF_R_COUNT && sh->ign[f->rule]) {
			sh->ignored[id_rule(f->rule)]++;
			drop_finding(&r->findings, i);
			continue;
		}
		if (lab && lab_rule(f->rule)) {
			lab_n++;
			if (!keep_lab) {
				drop_finding(&r->findings, i);
				continue;
			}
		} else if (f->severity > max) {
			max = f->severity;
		}
		i++;
	}
	if (lab_n) {
		sh->lab_findings += lab_n;
		sh->lab_domains++;
	}
	if (r->verdict != SF_VERDICT_ERROR)
		r->verdict = sf_findings_verdict(&r->findings);
	for (size_t i = 0; i < r->findings.n; i++)
		if ((unsigned)r->findings.v[i].severity < 4)
			sh->sev[r->findings.v[i].severity]++;
	for (size_t i = 0; i < r->n_certs; i++)
		if (r->certs[i].not_after &&
		    (!sh->have_days || r->certs[i].days_left < sh->min_days)) {
			sh->have_days = 1;
			sh->min_days = r->certs[i].days_left;
			snprintf(sh->min_days_host, sizeof(sh->min_days_host), "%s",
				 r->certs[i].host ? r->certs[i].host : "?");
		}
	if (r->verdict == SF_VERDICT_ERROR && !sh->first_error[0])
		snprintf(sh->first_error, sizeof(sh->first_error), "%s: %s",
			 r->domain ? r->domain : "?", r->reason ? r->reason : "could not be checked");
	return max;
}

/* The exit status that one shaped result gives (--fail-on). */
static int shape_status(const shape *sh, const sf_result *r, sf_severity max)
{
	if (r->verdict == SF_VERDICT_ERROR)
		return CLI_EXIT_FAILURE;
	return max >= (sf_severity)sh->fail_on ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
}

/* The IDs of @r's warnings and errors, each once, into @out: "DNS-009,DNS-010". */
static void ids_text(const sf_result *r, char *out, size_t cap, int with_info)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < r->findings.n; i++) {
		const sf_finding *f = &r->findings.v[i];
		int dup = 0;

		if (f->severity < (with_info ? SF_SEV_INFO : SF_SEV_WARN))
			continue;
		for (size_t k = 0; k < i && !dup; k++)
			dup = strcmp(r->findings.v[k].id, f->id) == 0 &&
			      r->findings.v[k].severity >= (with_info ? SF_SEV_INFO : SF_SEV_WARN);
		if (dup)
			continue;
		if (len)
			sf_buf_add(out, cap, &len, ",");
		sf_buf_add(out, cap, &len, f->id);
	}
}

/* --brief: "DOMAIN  VERDICT  ID,ID" (or the reason of a domain not checked). */
static char *brief_line(const sf_result *r, size_t *out_len)
{
	char ids[512];
	const char *sgr;
	const char *word = sf_tw_verdict_word(r->verdict, &sgr);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct sf_tw w = { fp, 0, 0 };
	size_t n;

	if (!fp)
		return NULL;
	ids_text(r, ids, sizeof(ids), 0);
	n = sf_tw_str(&w, r->domain ? r->domain : "?");
	sf_tw_spaces(&w, n < 30 ? 30 - n : 1);
	sf_tw_puts(&w, "  ");
	sf_tw_puts(&w, word);
	if (r->verdict == SF_VERDICT_ERROR) {
		sf_tw_spaces(&w, 7 - strlen(word));
		sf_tw_str(&w, r->reason ? r->reason : "the check could not run");
	} else if (ids[0]) {
		sf_tw_spaces(&w, 7 - strlen(word));
		sf_tw_puts(&w, ids);
	}
	sf_tw_puts(&w, "\n");
	if (fclose(fp) != 0 || w.err) {
		free(buf);
		return NULL;
	}
	*out_len = len;
	return buf;
}

/* RFC 4180: a field quoted when it holds a comma, a quote or a line break. */
static void csv_field(FILE *fp, const char *v, int last)
{
	if (v && strpbrk(v, ",\"\r\n")) {
		fputc('"', fp);
		for (; *v; v++) {
			if (*v == '"')
				fputc('"', fp);
			fputc(*v, fp);
		}
		fputc('"', fp);
	} else if (v) {
		fputs(v, fp);
	}
	fputs(last ? "\r\n" : ",", fp);
}

static const char csv_header[] =
	"domain,verdict,id,severity,subject,message,fix,ms_diagnostics,result_code,hresult\r\n";

/* The CSV rows of @r (one per finding; one with empty finding fields if none). */
static char *csv_rows(const sf_result *r, size_t *out_len, uint64_t *rows)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	const char *dom = r->domain ? r->domain : "";
	const char *verdict = sf_verdict_name(r->verdict);

	if (!fp)
		return NULL;
	for (size_t i = 0; i < r->findings.n; i++) {
		const sf_finding *f = &r->findings.v[i];
		char num[16] = "";

		if (f->microsoft.ms_diagnostics > 0)
			snprintf(num, sizeof(num), "%d", f->microsoft.ms_diagnostics);
		csv_field(fp, dom, 0);
		csv_field(fp, verdict, 0);
		csv_field(fp, f->id, 0);
		csv_field(fp, sf_severity_name(f->severity), 0);
		csv_field(fp, f->subject, 0);
		csv_field(fp, f->message, 0);
		csv_field(fp, f->fix, 0);
		csv_field(fp, num, 0);
		csv_field(fp, f->microsoft.result_code, 0);
		csv_field(fp, f->microsoft.hresult, 1);
		(*rows)++;
	}
	if (r->findings.n == 0) {
		csv_field(fp, dom, 0);
		csv_field(fp, verdict, 0);
		for (int k = 0; k < 3; k++)
			csv_field(fp, "", 0);
		csv_field(fp, r->verdict == SF_VERDICT_ERROR ? r->reason : "", 0);
		for (int k = 0; k < 3; k++)
			csv_field(fp, "", 0);
		csv_field(fp, "", 1);
		(*rows)++;
	}
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	*out_len = len;
	return buf;
}

/* Holds a result for the grouped text output.  0, or -1 (out of memory). */
/* Text results held for grouping at most (then written, grouped among themselves). */
#define GROUP_HOLD_MAX 1000

static int hold(shape *sh, sf_result *r)
{
	if (sh->n_held == sh->cap_held) {
		size_t cap = sh->cap_held ? sh->cap_held * 2 : 64;
		sf_result **v = realloc(sh->held, cap * sizeof(*v));

		if (!v)
			return -1;
		sh->held = v;
		sh->cap_held = cap;
	}
	sh->held[sh->n_held++] = r;
	return 0;
}

static void held_free(shape *sh)
{
	for (size_t i = 0; i < sh->n_held; i++)
		sf_result_free(sh->held[i]);
	free(sh->held);
	sh->held = NULL;
	sh->n_held = sh->cap_held = 0;
}

/*
 * The grouped text output of the held results: a warning or info of the same
 * rule (the same outcome of the same check) found in two domains or more is
 * written once after the blocks, with its first instance and every domain
 * that has it; each block keeps a one-line reference to it.  Errors stay in
 * their block.  --all writes every instance in every block instead.
 */
static char *grouped_text(shape *sh, int color, size_t *out_len)
{
	uint64_t count[SF_R_COUNT] = { 0 };
	unsigned char grouped[SF_R_COUNT] = { 0 };
	sf_rule order[SF_R_COUNT];
	size_t n_order = 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct sf_tw w = { fp, color, 0 };

	if (!fp)
		return NULL;
	for (size_t i = 0; i < sh->n_held; i++) {
		unsigned char seen[SF_R_COUNT] = { 0 };
		const sf_result *r = sh->held[i];

		for (size_t k = 0; k < r->findings.n; k++) {
			const sf_finding *f = &r->findings.v[k];

			if ((unsigned)f->rule < SF_R_COUNT && !seen[f->rule] &&
			    f->severity != SF_SEV_ERROR) {
				seen[f->rule] = 1;
				count[f->rule]++;
			}
		}
	}
	for (int r = 0; r < SF_R_COUNT; r++)
		if (count[r] >= 2) {
			grouped[r] = 1;
			order[n_order++] = (sf_rule)r;
		}
	/* most domains first, then by ID */
	for (size_t i = 1; i < n_order; i++)
		for (size_t k = i; k > 0; k--) {
			sf_rule a = order[k - 1], c = order[k];

			if (count[c] < count[a] ||
			    (count[c] == count[a] &&
			     strcmp(sf_rule_get(c)->id, sf_rule_get(a)->id) >= 0))
				break;
			order[k - 1] = c;
			order[k] = a;
		}

	for (size_t i = 0; i < sh->n_held && !w.err; i++) {
		sf_result *r = sh->held[i];
		sf_findings all = r->findings, own = { 0 };
		char refs[512];
		size_t rl = 0;
		char *blk = NULL;
		size_t blen = 0;
		FILE *bf;

		refs[0] = '\0';
		own.v = calloc(all.n ? all.n : 1, sizeof(*own.v));
		if (!own.v) {
			w.err = 1;
			break;
		}
		for (size_t k = 0; k < all.n; k++) {
			const sf_finding *f = &all.v[k];

			if ((unsigned)f->rule < SF_R_COUNT && grouped[f->rule] &&
			    f->severity != SF_SEV_ERROR) {
				if (!strstr(refs, f->id)) {
					if (rl)
						sf_buf_add(refs, sizeof(refs), &rl, ", ");
					sf_buf_add(refs, sizeof(refs), &rl, f->id);
				}
				continue;
			}
			own.v[own.n++] = *f;
		}
		own.cap = own.n;
		bf = open_memstream(&blk, &blen);
		r->findings = own;
		if (!bf || sf_out_text_result(bf, r, color) < 0) {
			w.err = 1;
		}
		r->findings = all;
		free(own.v);
		if (bf && fclose(bf) != 0)
			w.err = 1;
		if (!w.err && blk) {
			/* the block ends with a blank line: the reference goes before it */
			if (rl && blen > 0 && blk[blen - 1] == '\n')
				blen--;
			sf_tw_write(&w, blk, blen);
			if (rl) {
				sf_tw_spaces(&w, SF_TW_SEV_COL);
				sf_tw_puts(&w, "also     ");
				sf_tw_puts(&w, refs);
				sf_tw_puts(&w, ": shared with other domains, written once below "
					       "(--all: here)\n\n");
			}
		}
		free(blk);
	}
	for (size_t g = 0; g < n_order && !w.err; g++) {
		sf_rule rule = order[g];
		const sf_finding *first = NULL;
		const char *first_dom = NULL;
		struct sf_tw_wrap c;
		const char *sgr;
		char head[128];

		for (size_t i = 0; i < sh->n_held && !first; i++)
			for (size_t k = 0; k < sh->held[i]->findings.n && !first; k++)
				if (sh->held[i]->findings.v[k].rule == rule) {
					first = &sh->held[i]->findings.v[k];
					first_dom = sh->held[i]->domain;
				}
		if (!first)
			continue;
		sgr = sf_tw_sev_sgr(first->severity);
		sf_tw_sgr(&w, SF_SGR_BOLD);
		sf_tw_puts(&w, first->id);
		sf_tw_sgr(&w, SF_SGR_RESET);
		sf_tw_puts(&w, " ");
		sf_tw_sgr(&w, sgr);
		sf_tw_puts(&w, sf_severity_name(first->severity));
		sf_tw_sgr(&w, SF_SGR_RESET);
		snprintf(head, sizeof(head), " on %" PRIu64 " domains, e.g. ", count[rule]);
		sf_tw_puts(&w, head);
		sf_tw_str(&w, first_dom ? first_dom : "?");
		sf_tw_puts(&w, ":\n");
		if (first->message)
			sf_tw_para(&w, SF_TW_TEXT_COL, "", first->message);
		if (first->fix && first->severity >= SF_SEV_WARN)
			sf_tw_para(&w, SF_TW_TEXT_COL, "fix: ", first->fix);
		sf_tw_spaces(&w, SF_TW_TEXT_COL);
		sf_tw_puts(&w, "domains: ");
		sf_tw_wrap_begin(&c, SF_TW_TEXT_COL + 9, SF_TW_TEXT_COL + 9);
		for (size_t i = 0, shown = 0; i < sh->n_held; i++) {
			const sf_result *r = sh->held[i];
			int has = 0;

			for (size_t k = 0; k < r->findings.n && !has; k++)
				has = r->findings.v[k].rule == rule;
			if (!has)
				continue;
			shown++;
			sf_tw_wrap_word(&w, &c, r->domain ? r->domain : "?",
					strlen(r->domain ? r->domain : "?"),
					shown < count[rule] ? "," : "");
		}
		sf_tw_puts(&w, "\n\n");
	}
	if (fclose(fp) != 0 || w.err) {
		free(buf);
		return NULL;
	}
	*out_len = len;
	return buf;
}

/* "ignored: DNS-010 (12 findings)", "lab: ..." lines of the text summary; NULL if none. */
static char *shape_notes(const shape *sh, int brief)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	int any = 0;

	if (!fp)
		return NULL;
	for (int r = 0; r < SF_R_COUNT; r++) {
		if (!sh->ign[r] || id_rule((sf_rule)r) != (sf_rule)r)
			continue;
		fprintf(fp, "%s%s (%" PRIu64 " finding%s)", any ? ", " : "ignored: ",
			sf_rule_get((sf_rule)r)->id, sh->ignored[r], sh->ignored[r] == 1 ? "" : "s");
		any = 1;
	}
	if (any)
		fputs(" (--ignore)\n", fp);
	if (sh->lab_findings)
		fprintf(fp, "lab: %" PRIu64 " finding%s of DNS-009 (private or documentation "
			"address), DNS-010 (not a public suffix), CERT-011 expected on %" PRIu64
			" lab domain%s and not shown%s\n",
			sh->lab_findings, sh->lab_findings == 1 ? "" : "s", sh->lab_domains,
			sh->lab_domains == 1 ? "" : "s",
			sh->lab > 0 ? " (--lab)" : " (a non-public suffix and private addresses; "
						   "--no-lab shows them)");
	(void)brief;
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	if (len == 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * --format nagios: "SIPFED STATUS - text | perfdata" (Monitoring Plugins
 * guidelines: label=value[UOM];warn;crit;min;max).  Returns the exit status.
 */
static int nagios_line(bulk *b, const summary *sum, char *out, size_t cap)
{
	const shape *sh = &b->sh;
	const char *word;
	int st;
	size_t len = 0;
	char tmp[512];
	sf_rule order[SF_R_COUNT];
	size_t n = summary_order(sum, order);

	if (sum->verdicts[SF_VERDICT_ERROR]) {
		st = NAGIOS_UNKNOWN;
		word = "UNKNOWN";
	} else if (sh->sev[SF_SEV_ERROR]) {
		st = NAGIOS_CRITICAL;
		word = "CRITICAL";
	} else if (sh->sev[SF_SEV_WARN]) {
		st = NAGIOS_WARNING;
		word = "WARNING";
	} else {
		st = NAGIOS_OK;
		word = "OK";
	}
	snprintf(tmp, sizeof(tmp), "SIPFED %s - %" PRIu64 " domain%s: %" PRIu64 " pass, %" PRIu64
		 " warn, %" PRIu64 " fail, %" PRIu64 " error", word, sum->domains,
		 sum->domains == 1 ? "" : "s", sum->verdicts[SF_VERDICT_PASS],
		 sum->verdicts[SF_VERDICT_WARN], sum->verdicts[SF_VERDICT_FAIL],
		 sum->verdicts[SF_VERDICT_ERROR]);
	sf_buf_add(out, cap, &len, tmp);
	for (size_t i = 0; i < n && i < 3; i++) {
		snprintf(tmp, sizeof(tmp), "%s%s (%" PRIu64 ")", i ? ", " : "; ",
			 sf_rule_get(order[i])->id, sum->checks[order[i]]);
		sf_buf_add(out, cap, &len, tmp);
	}
	if (sh->have_days) {
		snprintf(tmp, sizeof(tmp), "; nearest certificate expiry %ld days (%s)",
			 sh->min_days, sh->min_days_host);
		sf_buf_add(out, cap, &len, tmp);
	}
	if (sh->first_error[0]) {
		sf_buf_add(out, cap, &len, "; ");
		sf_buf_add(out, cap, &len, sh->first_error);
	}
	/* the text may not hold the perfdata separator, nor a line break */
	for (char *p = out; *p; p++)
		if (*p == '|' || *p == '\n' || *p == '\r')
			*p = ' ';
	snprintf(tmp, sizeof(tmp), " | domains=%" PRIu64 ";;;0 pass=%" PRIu64 ";;;0 warn=%" PRIu64
		 ";;;0 fail=%" PRIu64 ";;;0 error=%" PRIu64 ";;;0 findings_error=%" PRIu64
		 ";;0;0 findings_warning=%" PRIu64 ";0;;0 findings_info=%" PRIu64 ";;;0",
		 sum->domains, sum->verdicts[SF_VERDICT_PASS], sum->verdicts[SF_VERDICT_WARN],
		 sum->verdicts[SF_VERDICT_FAIL], sum->verdicts[SF_VERDICT_ERROR],
		 sh->sev[SF_SEV_ERROR], sh->sev[SF_SEV_WARN], sh->sev[SF_SEV_INFO]);
	sf_buf_add(out, cap, &len, tmp);
	if (sh->have_days) {
		snprintf(tmp, sizeof(tmp), " cert_days_left=%ld;%d:;0:", sh->min_days,
			 sh->expiry_days);
		sf_buf_add(out, cap, &len, tmp);
	}
	return st;
}

static volatile sig_atomic_t stop_flag, stop_signal;

static void on_stop_signal(int sig)
{
	if (stop_flag) {
		/* A second signal: the default action now. */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	stop_signal = sig;
	stop_flag = 1;
}

/* Writes all of @p to @fd in as few write(2) calls as it takes.  0, or -1 (errno). */
static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void progress_clear(bulk *b)
{
	if (b->progress_shown) {
		write_all(STDERR_FILENO, "\r\033[K", 4);
		b->progress_shown = 0;
	}
}

static void progress_redraw(bulk *b)
{
	if (b->progress_on && b->progress[0] && !b->progress_shown) {
		write_all(STDERR_FILENO, b->progress, strlen(b->progress));
		b->progress_shown = 1;
	}
}

static void fmt_eta(char *out, size_t cap, double s)
{
	unsigned long t = (unsigned long)(s + 0.5);

	if (t < 60)
		snprintf(out, cap, "%lus", t);
	else if (t < 3600)
		snprintf(out, cap, "%lum%02lus", t / 60, t % 60);
	else
		snprintf(out, cap, "%luh%02lum", t / 3600, (t % 3600) / 60);
}

static void on_progress(void *arg, const sf_run_stats *st)
{
	bulk *b = arg;
	double rate = st->elapsed > 0 ? (double)st->done / st->elapsed : 0;
	char eta[32];
	int n;

	if (!b->progress_on)
		return;
	if (b->total_known) {
		n = snprintf(b->progress, sizeof(b->progress), "\rsipfed: %" PRIu64 "/%" PRIu64
			     " domains, %.0f/s", st->done, b->total, rate);
		if (rate > 0 && st->done < b->total && n > 0 && (size_t)n < sizeof(b->progress)) {
			fmt_eta(eta, sizeof(eta), (double)(b->total - st->done) / rate);
			snprintf(b->progress + n, sizeof(b->progress) - (size_t)n, ", ETA %s", eta);
		}
	} else {
		snprintf(b->progress, sizeof(b->progress), "\rsipfed: %" PRIu64 " domains, %.0f/s",
			 st->done, rate);
	}
	strncat(b->progress, "\033[K", sizeof(b->progress) - strlen(b->progress) - 1);
	b->progress_shown = 0;
	progress_redraw(b);
}

static int out_write(bulk *b, const char *p, size_t n)
{
	if (b->write_errno)
		return -1;
	if (b->out_tty)
		progress_clear(b);
	if (write_all(b->out_fd, p, n) < 0) {
		b->write_errno = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

static int json_open(bulk *b)
{
	static const char head[] = "{\"version\":1,\"results\":[";

	if (b->format != CLI_JSON || b->json_open)
		return 0;
	b->json_open = 1;
	return out_write(b, head, sizeof(head) - 1);
}

/* One result, whole: text block, json element or JSONL line. */
static int on_result(void *arg, const sf_job_done *job, sf_result *r)
{
	bulk *b = arg;
	char *buf = NULL;
	size_t len = 0;
	int rc = 0, worst = b->sum.worst, st_r, held = 0;
	sf_severity max;

	(void)job;
	if (b->html) {
		/* --format html: the writer streams the domain's rows to stdout. */
		progress_clear(b);
		if (sf_out_html_result(b->html, r) < 0 || fflush(stdout) != 0) {
			if (!b->write_errno)
				b->write_errno = errno ? errno : EIO;
			rc = 1;
		} else {
			b->written++;
			summary_add(&b->sum, r);
		}
		progress_redraw(b);
		sf_result_free(r);
		return rc || stop_flag;
	}
	/* --ignore, --lab, --fail-on; csv, nagios, --brief and the grouped text (issue 12) */
	max = shape_result(b, r);
	st_r = shape_status(&b->sh, r, max);
	if (b->sh.fmt == FMT_NAGIOS) {
		buf = strdup(""); /* one line at the end */
	} else if (b->sh.fmt == FMT_CSV) {
		buf = csv_rows(r, &len, &b->sh.csv_rows);
	} else if (b->format == CLI_TEXT && b->sh.brief) {
		buf = brief_line(r, &len);
	} else if (b->format == CLI_TEXT && !b->sh.all) {
		/* grouped: written whole at the end (the run keeps the input order) */
		if (hold(&b->sh, r) == 0) {
			held = 1;
			buf = strdup("");
		}
	} else if (b->format == CLI_TEXT) {
		FILE *fp = open_memstream(&buf, &len);

		if (!fp || sf_out_text_result(fp, r, b->color) < 0) {
			if (fp)
				fclose(fp);
			free(buf);
			buf = NULL;
		} else if (fclose(fp) != 0) {
			free(buf);
			buf = NULL;
		}
	} else {
		char *js = sf_out_json_result(r);

		if (js) {
			len = strlen(js);
			buf = malloc(len + 2);
			if (buf) {
				size_t off = 0;

				if (b->format == CLI_JSON && b->written > 0)
					buf[off++] = ',';
				memcpy(buf + off, js, len);
				off += len;
				if (b->format == CLI_JSONL)
					buf[off++] = '\n';
				len = off;
			}
			free(js);
		}
	}
	if (!buf) {
		sf_result_free(r);
		sf_run_fail(b->run, SF_ENOMEM, "out of memory");
		return 1;
	}
	if (json_open(b) < 0 || (len > 0 && out_write(b, buf, len) < 0)) {
		rc = 1;
	} else {
		b->written++;
		summary_add(&b->sum, r);
		/* the exit status: without the lab findings, and per --fail-on */
		b->sum.worst = worst > st_r ? worst : st_r;
		if (r->verdict == SF_VERDICT_ERROR && !b->quiet) {
			progress_clear(b);
			cli_error("%s: %s", r->domain ? r->domain : job->name,
				  r->reason ? r->reason : "the check could not run");
		}
	}
	/*
	 * Grouping holds text results; past GROUP_HOLD_MAX the held ones are
	 * written (grouped among themselves) and let go, so that a list of any
	 * length runs in bounded memory.
	 */
	if (held && rc == 0 && b->sh.n_held >= GROUP_HOLD_MAX) {
		size_t glen = 0;
		char *grp = grouped_text(&b->sh, b->color, &glen);

		if (!grp || out_write(b, grp, glen) < 0)
			rc = 1;
		free(grp);
		held_free(&b->sh);
	}
	progress_redraw(b);
	free(buf);
	if (!held)
		sf_result_free(r);
	/* A signal: this result was written whole; the others in flight are dropped. */
	return rc || stop_flag;
}

static int feed(void *arg, sf_job *out)
{
	bulk *b = arg;
	sf_job_kind kind;
	int r;

	/* A signal: no job starts any more, whenever the run polls its flag. */
	if (stop_flag) {
		sf_run_stop(b->run);
		return 0;
	}
	r = src_next(b->feed, &kind);
	if (r < 0) {
		sf_run_fail(b->run, SF_EINVAL, b->feed->err);
		return -1;
	}
	if (r == 0)
		return 0;
	out->kind = kind;
	out->name = b->feed->name;
	out->user = NULL;
	return 1;
}

/* --- options ------------------------------------------------------------------------ */

static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_shard(const char *s, filters *f)
{
	const char *slash = strchr(s, '/');
	char i[32];

	if (!slash || (size_t)(slash - s) >= sizeof(i))
		return -1;
	memcpy(i, s, (size_t)(slash - s));
	i[slash - s] = '\0';
	if (parse_u64(i, 0, SHARD_MAX - 1, &f->shard_i) < 0 ||
	    parse_u64(slash + 1, 1, SHARD_MAX, &f->shard_n) < 0 || f->shard_i >= f->shard_n)
		return -1;
	return 0;
}

int cli_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		CLI_FED_LONGOPTS,
		CLI_DATA_DIR_LONGOPT,
		{ "no-probe", no_argument, NULL, OPT_NO_PROBE },
		{ "client", no_argument, NULL, OPT_CLIENT },
		{ "file", required_argument, NULL, 'f' },
		{ "concurrency", required_argument, NULL, OPT_CONCURRENCY },
		{ "resume", required_argument, NULL, OPT_RESUME },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "deadline", required_argument, NULL, OPT_DEADLINE },
		{ "brief", no_argument, NULL, OPT_BRIEF },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "verbose", no_argument, NULL, OPT_ALL },
		{ "ignore", required_argument, NULL, OPT_IGNORE },
		{ "lab", no_argument, NULL, OPT_LAB },
		{ "no-lab", no_argument, NULL, OPT_NO_LAB },
		{ "expiry-days", required_argument, NULL, OPT_EXPIRY_DAYS },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ NULL, 0, NULL, 0 },
	};
	cli_common c = { .color = -1 };
	cli_fed fed = { 0 };
	sf_ctx *ctx = NULL;
	sf_run *run = NULL;
	sf_run_options ro = { 0 };
	filters flt = { 0 };
	strset done = { 0 };
	src feed_src = { 0 };
	bulk b = { 0 };
	uint64_t concurrency = CONCURRENCY_DEFAULT, n_resumed = 0, raw_total = 0, deadline = 0;
	const char *list_file = NULL, *resume_file = NULL;
	int opt, status = CLI_EXIT_FAILURE, format_given = 0, counted = 0, resume_fd = -1;
	int html = 0;
	struct sigaction sa, old_int, old_term;
	int handlers = 0;
	sf_status st;

	b.out_fd = STDOUT_FILENO;
	b.sh.lab = -1;
	b.sh.fail_on = SF_SEV_ERROR;
	b.sh.expiry_days = 30;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":f:h", longopts, NULL)) != -1) {
		int r;

		switch (opt) {
		case 'h':
		case OPT_HELP:
			cli_usage_check(stdout);
			status = cli_finish(0);
			goto out;
		case 'f':
			list_file = optarg;
			continue;
		case OPT_NO_PROBE:
			c.opt.no_probe_misspellings = 1;
			continue;
		case OPT_CLIENT:
			c.opt.client = 1;
			continue;
		case OPT_CONCURRENCY:
			if (parse_u64(optarg, 1, CONCURRENCY_MAX, &concurrency) < 0) {
				cli_error("invalid --concurrency '%s': expected the number of domains "
					  "in flight (1..%d)", optarg, CONCURRENCY_MAX);
				goto out;
			}
			continue;
		case OPT_RESUME:
			resume_file = optarg;
			continue;
		case OPT_DEADLINE:
			if (parse_u64(optarg, 1, 86400000, &deadline) < 0) {
				cli_error("invalid --deadline '%s': expected milliseconds "
					  "(1..86400000)", optarg);
				goto out;
			}
			continue;
		case OPT_SHARD:
			if (parse_shard(optarg, &flt) < 0) {
				cli_error("invalid --shard '%s': expected I/N with 0 <= I < N <= %d",
					  optarg, SHARD_MAX);
				goto out;
			}
			continue;
		case OPT_QUIET:
			b.quiet = 1;
			continue;
		case OPT_BRIEF:
			b.sh.brief = 1;
			continue;
		case OPT_ALL:
			b.sh.all = 1;
			continue;
		case OPT_IGNORE:
			if (parse_ignore(&b.sh, optarg) < 0)
				goto out;
			continue;
		case OPT_LAB:
			b.sh.lab = 1;
			continue;
		case OPT_NO_LAB:
			b.sh.lab = 0;
			continue;
		case OPT_EXPIRY_DAYS: {
			uint64_t d;

			if (parse_u64(optarg, 1, EXPIRY_DAYS_MAX, &d) < 0) {
				cli_error("invalid --expiry-days '%s': expected a number of days "
					  "(1..%d)", optarg, EXPIRY_DAYS_MAX);
				goto out;
			}
			c.opt.expiry_days = (int)d;
			b.sh.expiry_days = (int)d;
			continue;
		}
		case OPT_FAIL_ON:
			if (strcasecmp(optarg, "warning") == 0 || strcasecmp(optarg, "warn") == 0) {
				b.sh.fail_on = SF_SEV_WARN;
			} else if (strcasecmp(optarg, "error") == 0) {
				b.sh.fail_on = SF_SEV_ERROR;
			} else {
				cli_error("invalid --fail-on '%s': expected warning or error", optarg);
				goto out;
			}
			continue;
		case OPT_FORMAT:
		case OPT_JSON:
			format_given = 1;
			/* csv and nagios are check's own formats (issue 12); c.format stays text */
			b.sh.fmt = FMT_COMMON;
			if (opt == OPT_FORMAT && (strcasecmp(optarg, "csv") == 0 ||
						  strcasecmp(optarg, "nagios") == 0)) {
				b.sh.fmt = strcasecmp(optarg, "csv") == 0 ? FMT_CSV : FMT_NAGIOS;
				c.format = CLI_TEXT;
				html = 0;
				continue;
			}
			/* html is check's own format (a report over many domains) */
			html = opt == OPT_FORMAT && strcmp(optarg, "html") == 0;
			if (html)
				continue;
			break;
		}
		r = cli_fed_opt(&fed, opt, optarg);
		if (r < 0)
			goto out;
		if (r > 0)
			continue;
		if (opt == '?' || opt == ':') {
			cli_bad_option(argv, opt, optopt, "check");
			goto out;
		}
		r = cli_common_opt(&c, opt, optarg);
		if (r < 0)
			goto out;
	}
	if (resume_file && b.sh.fmt != FMT_COMMON) {
		cli_error("--resume appends JSONL results to '%s': it implies --format jsonl, "
			  "not --format %s", resume_file, b.sh.fmt == FMT_CSV ? "csv" : "nagios");
		goto out;
	}
	if (resume_file) {
		if (format_given && (html || c.format != CLI_JSONL)) {
			cli_error("--resume appends JSONL results to '%s': it implies --format jsonl, "
				  "not --format %s", resume_file,
				  html ? "html" : c.format == CLI_JSON ? "json" : "text");
			goto out;
		}
		c.format = CLI_JSONL;
	}
	/* The -f file is opened now: an unreadable one is the first error. */
	if (list_file && src_open(&feed_src, list_file, strcmp(list_file, "-") == 0) < 0)
		goto out;
	if (cli_fed_validate(&fed, &c, list_file != NULL || optind < argc) < 0)
		goto out;
	if (cli_common_validate(&c) < 0)
		goto out;
	if (resume_file) {
		resume_fd = resume_open(resume_file, &done, &b.sum, &n_resumed);
		if (resume_fd < 0)
			goto out;
		flt.done = &done;
		b.out_fd = resume_fd;
	}
	feed_src.args = argv + optind;
	feed_src.n_args = argc - optind;
	feed_src.notes = !b.quiet;
	feed_src.sbcs = fed.sbcs;
	feed_src.n_sbcs = fed.n_sbcs;
	feed_src.flt = &flt;
	if (src_init_allow(&feed_src, fed.allow) < 0) {
		cli_error("out of memory");
		goto out;
	}

	/*
	 * The number of jobs, counted before the run when that is cheap (no -f,
	 * or a regular file read once more): for the progress display, and so
	 * that a bad line of a regular file stops the command before any check.
	 */
	{
		struct stat fst;

		if (!list_file ||
		    (strcmp(list_file, "-") != 0 && fstat(fileno(feed_src.fp), &fst) == 0 &&
		     S_ISREG(fst.st_mode))) {
			src cnt = { 0 };
			sf_job_kind kind;
			int r = 0;

			cnt.args = feed_src.args;
			cnt.n_args = feed_src.n_args;
			cnt.sbcs = feed_src.sbcs;
			cnt.n_sbcs = feed_src.n_sbcs;
			cnt.flt = &flt;
			if ((list_file && src_open(&cnt, list_file, 0) < 0) ||
			    src_init_allow(&cnt, fed.allow) < 0) {
				if (!list_file)
					cli_error("out of memory");
				src_close(&cnt);
				goto out;
			}
			while ((r = src_next(&cnt, &kind)) > 0)
				b.total++;
			raw_total = cnt.raw;
			if (r < 0)
				cli_error("%s", cnt.err);
			src_close(&cnt);
			if (r < 0)
				goto out;
			counted = 1;
			b.total_known = 1;
		}
	}
	if (counted && raw_total == 0) {
		cli_error("no domain to check (see 'sipfed help check')");
		goto out;
	}

	st = sf_ctx_new(&c.opt, &ctx);
	if (st != SF_OK) {
		cli_error("%s", sf_ctx_error(ctx));
		goto out;
	}
	if (!b.quiet)
		cli_zone_notes(ctx);
	feed_src.callback = fed.callback;
	if (cli_fed_setup(&fed, ctx) < 0)
		goto out;

	b.format = c.format;
	b.color = b.sh.fmt == FMT_COMMON ? cli_use_color(&c) : 0;
	b.out_tty = isatty(b.out_fd);
	b.progress_on = !b.quiet && isatty(STDERR_FILENO);
	b.feed = &feed_src;
	ro.concurrency = (size_t)concurrency;
	ro.deadline_ms = (unsigned)deadline;
	ro.ordered = c.format != CLI_JSONL;
	ro.stop_flag = &stop_flag;
	if (b.progress_on) {
		ro.progress = on_progress;
		ro.progress_arg = &b;
	}
	if (html) {
		b.html = sf_out_html_begin(stdout, NULL, c.opt.at);
		if (!b.html) {
			cli_error("out of memory");
			goto out;
		}
	}
	st = sf_run_new(ctx, &ro, on_result, &b, &run);
	if (st != SF_OK) {
		cli_error("%s", sf_ctx_error(ctx));
		goto out;
	}
	b.run = run;
	if (fed.peer)
		sf_run_set_peer(run, fed.peer);
	if (fed.allow)
		sf_run_set_allow_list(run, fed.allow);
	sf_run_set_feed(run, feed, &b);
	if (b.sh.fmt == FMT_CSV && out_write(&b, csv_header, sizeof(csv_header) - 1) < 0) {
		cli_error("cannot write output: %s", strerror(b.write_errno));
		goto out;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	stop_flag = 0;
	stop_signal = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	handlers = 1;

	st = sf_run_go(run);
	progress_clear(&b);
	b.progress_on = 0;

	if (b.write_errno) {
		cli_error("cannot write %s: %s", resume_file ? resume_file : "output",
			  strerror(b.write_errno));
		goto out;
	}
	if (st != SF_OK) {
		if (b.json_open)
			out_write(&b, "]}\n", 3);
		if (b.html) {
			/* close the page: the results so far, summed up */
			sf_out_html_end(b.html);
			b.html = NULL;
		}
		cli_error("%s", sf_run_error(run));
		goto out;
	}
	if (!counted && feed_src.raw == 0) {
		cli_error("no domain to check (see 'sipfed help check')");
		goto out;
	}
	/* The end of the output: the json document's summary, the text summary. */
	if (b.html) {
		int hr = sf_out_html_end(b.html);

		b.html = NULL;
		if (hr < 0 || fflush(stdout) != 0) {
			cli_error("cannot write output: %s", strerror(errno ? errno : EIO));
			goto out;
		}
	} else if (b.format == CLI_JSON) {
		char *js = summary_json(&b.sum);

		if (!js || json_open(&b) < 0 || out_write(&b, "],", 2) < 0 ||
		    out_write(&b, js, strlen(js)) < 0 || out_write(&b, "}\n", 2) < 0) {
			free(js);
			cli_error("cannot write output: %s",
				  strerror(b.write_errno ? b.write_errno : ENOMEM));
			goto out;
		}
		free(js);
	} else if (b.sh.fmt == FMT_NAGIOS) {
		char line[2048];
		int ns = nagios_line(&b, &b.sum, line, sizeof(line));

		if (out_write(&b, line, strlen(line)) < 0 || out_write(&b, "\n", 1) < 0) {
			cli_error("cannot write output: %s", strerror(b.write_errno));
			goto out;
		}
		b.sh.nagios_done = 1;
		if (!(sf_run_stopped(run) && stop_flag)) {
			status = cli_finish(ns);
			if (status != ns)
				status = NAGIOS_UNKNOWN;
			goto out;
		}
	} else if (b.sh.fmt == FMT_CSV) {
		/* rows only */
	} else if (b.format == CLI_TEXT) {
		char *grp = NULL, *line = NULL, *notes = shape_notes(&b.sh, b.sh.brief);
		size_t glen = 0;
		int bad = 0;

		if (b.sh.n_held > 0) {
			grp = grouped_text(&b.sh, b.color, &glen);
			bad = !grp || out_write(&b, grp, glen) < 0;
		}
		/* what was dropped, then the summary: the last line */
		if (!bad && notes)
			bad = out_write(&b, notes, strlen(notes)) < 0;
		if (!bad && b.sum.domains > 1) {
			line = summary_line(&b.sum);
			bad = !line || out_write(&b, "summary: ", 9) < 0 ||
			      out_write(&b, line, strlen(line)) < 0 || out_write(&b, "\n", 1) < 0;
		}
		free(grp);
		free(line);
		free(notes);
		if (bad) {
			cli_error("cannot write output: %s",
				  strerror(b.write_errno ? b.write_errno : ENOMEM));
			goto out;
		}
	} else if (b.format == CLI_JSONL && !b.quiet && isatty(STDERR_FILENO) &&
		   b.sum.domains > 0) {
		char *line = summary_line(&b.sum);

		if (line)
			cli_error("summary: %s", line);
		free(line);
	}
	if (sf_run_stopped(run) && stop_flag) {
		char m[64] = "";

		if (b.total_known)
			snprintf(m, sizeof(m), " of %" PRIu64, b.total);
		cli_error("interrupted after %" PRIu64 "%s domains%s%s", b.written, m,
			  resume_file ? "; continue with --resume " : "",
			  resume_file ? resume_file : "");
		status = 128 + (stop_signal ? (int)stop_signal : SIGINT);
		fflush(stdout);
		goto out;
	}
	status = cli_finish(b.sum.worst);
out:
	if (handlers) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
	if (b.html)
		sf_out_html_end(b.html); /* an early exit: the page is closed all the same */
	held_free(&b.sh);
	/* Monitoring Plugins: a check that could not run is UNKNOWN (3), with its line */
	if (b.sh.fmt == FMT_NAGIOS && status == CLI_EXIT_FAILURE && !b.sh.nagios_done) {
		printf("SIPFED UNKNOWN - the check could not run%s%s\n",
		       b.sh.first_error[0] ? ": " : " (see the message on stderr)",
		       b.sh.first_error);
		fflush(stdout);
		status = NAGIOS_UNKNOWN;
	}
	sf_run_free(run);
	sf_ctx_free(ctx);
	src_close(&feed_src);
	strset_free(&done);
	if (resume_fd >= 0 && close(resume_fd) < 0 && status != CLI_EXIT_FAILURE) {
		cli_error("cannot write '%s': %s", resume_file, strerror(errno));
		status = CLI_EXIT_FAILURE;
	}
	cli_fed_release(&fed);
	cli_common_release(&c);
	(void)n_resumed;
	return status;
}
