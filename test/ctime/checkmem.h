/* Memory-definedness annotations for the constant-time test (libsecp256k1's checkmem idea): a
 * secret is marked undefined before a call, so memcheck reports any branch or memory index that
 * depends on it, and each output is marked defined afterwards because it is allowed to be used. */
#ifndef MPC_CTIME_CHECKMEM_H
#define MPC_CTIME_CHECKMEM_H

#include <valgrind/memcheck.h>

#define CHECKMEM_UNDEFINE(p, len) VALGRIND_MAKE_MEM_UNDEFINED((p), (len))
#define CHECKMEM_DEFINE(p, len) VALGRIND_MAKE_MEM_DEFINED((p), (len))
#define CHECKMEM_RUNNING() (RUNNING_ON_VALGRIND)

#endif
