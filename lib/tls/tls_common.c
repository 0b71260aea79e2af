/*
 * What both TLS sources share: the lifecycle of the facts they fill.
 */
#include <stdlib.h>
#include <string.h>

#include "tls/tls.h"

/*
 * Frees everything @f owns (error, version, both chains, the client CA
 * names) and zeroes it, so that it can be filled again.  NULL is a no-op.
 */
void sf_tls_facts_release(sf_tls_facts *f)
{
	size_t i;

	if (!f)
		return;
	free(f->error);
	free(f->version);
	free(f->cipher);
	sk_X509_pop_free(f->chain, X509_free);
	sk_X509_pop_free(f->chain_nosni, X509_free);
	for (i = 0; f->client_ca && i < f->n_client_ca; i++)
		free(f->client_ca[i]);
	free(f->client_ca);
	sf_chain_facts_release(&f->cf);
	memset(f, 0, sizeof(*f));
}
