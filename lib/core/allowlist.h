/* The allow-list reader's in-memory entry point (the fuzz target's; allowlist.c). */
#ifndef SF_CORE_ALLOWLIST_H
#define SF_CORE_ALLOWLIST_H

#include <stddef.h>

#include "sipfed/sipfed.h"

/*
 * Parses @len bytes of @buf as sf_allow_list_load() parses a file, @name
 * standing for the file in messages.  Same contract: *@out_list is the list,
 * or on failure the empty list holding the message (NULL if out of memory).
 */
sf_status sf_allow_list_parse(const char *name, const char *buf, size_t len,
			      sf_allow_list **out_list);

#endif
