/*
 * The constant-time test (PROTOCOL.md 9 "Side channels"), run under valgrind by ctest:
 *   valgrind --error-exitcode=42 --track-origins=yes ctime_tests [AREA[/SECTION]]
 * Each section marks its secret inputs undefined (CHECKMEM_UNDEFINE), calls one libmpc function
 * and marks the outputs defined (CHECKMEM_DEFINE). A branch or memory index on a secret inside
 * the call is a memcheck error, so the run exits 42 and the test fails.
 *
 * Adding an area (e.g. the signing protocol):
 *   1. test/ctime/ctime_<area>.c defines `const ctime_section ctime_<area>_sections[]`, a list of
 *      {name, function} ended by {NULL, NULL}; each function takes the shared ctime_env.
 *   2. Declare that array below, add {"<area>", ctime_<area>_sections} to the area table in
 *      ctime_tests.c, and add the file to the ctime_tests sources in test/ctime/CMakeLists.txt.
 * Only declassify (CHECKMEM_DEFINE) what the protocol makes public, each with a comment saying why.
 */
#ifndef MPC_CTIME_H
#define MPC_CTIME_H

#include <stddef.h>

#include "checkmem.h"
#include "mpc/mpc.h"
#include "mpc/scalar.h"
#include "test_rng.h"

typedef struct {
    mpc_context *ctx; /* randomness from ctx_rng: fixed seed, so every run is the same */
    test_rng ctx_rng;
    test_rng input_rng; /* the secrets fed to the sections */
} ctime_env;

typedef struct {
    const char *name;
    void (*run)(ctime_env *env);
} ctime_section;

/* A defined, uniformly random scalar (mod n) from env->input_rng; the section marks it secret. */
void ctime_random_scalar(ctime_env *env, mpc_scalar *out);

/* A context for whole protocol steps: every byte its randomness source returns is undefined
 * (secret), and declassification is on (mpc_context_set_declassify), so libmpc marks defined
 * what the protocol makes public. rng must outlive the context. */
mpc_context *ctime_secret_context(test_rng *rng);

extern const ctime_section ctime_scalar_sections[];
extern const ctime_section ctime_point_sections[];
extern const ctime_section ctime_hash_sections[];
extern const ctime_section ctime_ot_sections[];
extern const ctime_section ctime_sign_sections[];
extern const ctime_section ctime_base_ot_sections[];

/* The negative control: runs a deliberately leaky function that memcheck must flag. */
int ctime_leak_selftest(ctime_env *env);

#endif
