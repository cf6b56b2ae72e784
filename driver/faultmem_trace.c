// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem: instantiate the tracepoints declared in faultmem_trace.h.
 * Exactly one file defines CREATE_TRACE_POINTS; driver/Kbuild adds this
 * directory to its include path so that define_trace.h finds the header.
 */
#define CREATE_TRACE_POINTS
#include "faultmem_trace.h"
