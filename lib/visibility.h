/*
 * Force-included (-include) into every source of libsipfed, which is built
 * with -fvisibility=hidden: the public headers are read here first, under
 * default visibility, so that every function they declare is exported from
 * libsipfed.so and nothing else is.  The public headers themselves need no
 * export macro.  A new public header is added to this list (and to
 * install_headers() in meson.build).
 */
#ifndef SIPFED_LIB_VISIBILITY_H
#define SIPFED_LIB_VISIBILITY_H

#pragma GCC visibility push(default)
#include "sipfed/sipfed.h"
#include "sipfed/logs.h"
#include "sipfed/plan.h"
#include "sipfed/run.h"
#include "sipfed/probe.h"
#include "sipfed/edge.h"
#pragma GCC visibility pop

#endif
