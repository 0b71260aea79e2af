/* sipfed check: the callback, allow-list and Direct Routing options (see cli_fed.h). */
#include <stdlib.h>
#include <string.h>

#include "cli_fed.h"

const char cli_fed_usage[] =
	"  --callback             inbound callback check (FED-001): will an Edge accept requests\n"
	"                         whose From / P-Asserted-Identity carry DOMAIN from the peer?\n"
	"  --peer-cert FILE       the certificate chain (PEM, leaf first) the peer presents\n"
	"  --peer-host HOST[:PORT]  fetch it from the peer (port 5061; from --certs DIR offline);\n"
	"                         either option implies --callback\n"
	"  --allow-list FILE      allowed domains, 'domain [proxyfqdn]' a line or the CSV of\n"
	"                         Get-CsAllowedDomain: checked too; a stale ProxyFqdn is FED-003\n"
	"  --sbc FQDN[:PORT]      with --profile dr: check a Direct Routing SBC (repeatable;\n"
	"                         port 5061); the dr profile checks SBCs only, no DOMAIN\n";

int cli_fed_opt(cli_fed *f, int opt, const char *arg)
{
	const char **v;

	switch (opt) {
	case OPT_CALLBACK:
		f->callback = 1;
		return 1;
	case OPT_PEER_CERT:
		f->peer_cert = arg;
		return 1;
	case OPT_PEER_HOST:
		f->peer_host = arg;
		return 1;
	case OPT_ALLOW_LIST:
		f->allow_file = arg;
		return 1;
	case OPT_SBC:
		v = realloc(f->sbcs, (f->n_sbcs + 1) * sizeof(*v));
		if (!v) {
			cli_error("out of memory");
			return -1;
		}
		v[f->n_sbcs++] = arg;
		f->sbcs = v;
		return 1;
	}
	return 0;
}

int cli_fed_validate(cli_fed *f, const cli_common *c, int have_domains)
{
	sf_status st;

	if (f->peer_cert && f->peer_host) {
		cli_error("--peer-cert and --peer-host exclude each other: give one certificate");
		return -1;
	}
	if (f->peer_cert || f->peer_host)
		f->callback = 1;
	if (f->callback && !f->peer_cert && !f->peer_host) {
		cli_error("--callback needs the certificate the peer presents: --peer-cert FILE or "
			  "--peer-host HOST[:PORT]");
		return -1;
	}
	/* What a Direct Routing SBC check would ignore: the options of the domain checks. */
	if (f->n_sbcs > 0 && c->opt.client) {
		cli_error("--client and --sbc exclude each other: --client checks the client "
			  "discovery of SIP domains, --sbc a Direct Routing SBC");
		return -1;
	}
	if (f->n_sbcs > 0 && c->opt.no_probe_misspellings) {
		cli_error("--no-probe does not apply to --sbc: a Direct Routing SBC check looks "
			  "up no SRV record");
		return -1;
	}
	if (f->n_sbcs > 0 && c->opt.n_hosting_providers > 0) {
		cli_error("--hosting-provider does not apply to --sbc: the list is about the SRV "
			  "targets of SIP domains, a Direct Routing SBC check looks up no SRV "
			  "record");
		return -1;
	}
	if (f->n_sbcs > 0 && c->opt.profile != SF_PROFILE_DR) {
		cli_error("--sbc checks a Teams Direct Routing SBC: it needs --profile dr");
		return -1;
	}
	if (c->opt.profile == SF_PROFILE_DR && (f->callback || f->allow_file)) {
		cli_error("%s is about federation with Skype for Business / Teams (profiles sfb "
			  "and o365), not Direct Routing",
			  f->callback ? "--callback" : "--allow-list");
		return -1;
	}
	/* A domain under dr would get federation advice (_sipfederationtls), wrong for an SBC. */
	if (c->opt.profile == SF_PROFILE_DR && (f->n_sbcs == 0 || have_domains)) {
		cli_error("--profile dr checks Direct Routing SBCs: name them with --sbc "
			  "FQDN[:PORT]%s",
			  have_domains ? " (a DOMAIN argument or -f is for the federation "
					 "profiles sfb and o365)" : "");
		return -1;
	}
	/*
	 * The peer's certificate concerns the domains the peer sends: the
	 * DOMAIN arguments (and -f).  The allow list's other domains get the
	 * normal check and FED-003, no FED-001 (SF_JOB_ALLOW).
	 */
	if (f->callback && !have_domains) {
		cli_error("--callback checks the domains the peer sends: give them as DOMAIN "
			  "arguments (or -f FILE); the allow list's domains are not sent by the peer");
		return -1;
	}
	if (f->allow_file) {
		st = sf_allow_list_load(f->allow_file, &f->allow);
		if (st != SF_OK) {
			cli_error("%s", sf_allow_list_error(f->allow));
			return -1;
		}
	}
	return 0;
}

int cli_fed_setup(cli_fed *f, sf_ctx *ctx)
{
	sf_status st = SF_OK;

	if (f->peer_cert)
		st = sf_peer_load(ctx, f->peer_cert, &f->peer);
	else if (f->peer_host)
		st = sf_peer_fetch(ctx, f->peer_host, &f->peer);
	if (st != SF_OK) {
		cli_error("%s", sf_ctx_error(ctx));
		return -1;
	}
	return 0;
}

void cli_fed_release(cli_fed *f)
{
	free(f->sbcs);
	sf_allow_list_free(f->allow);
	sf_peer_free(f->peer);
	memset(f, 0, sizeof(*f));
}
