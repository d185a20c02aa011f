/*
 * libmpc: threshold ECDSA (DKLs23 family) over secp256k1. Pure computation: no I/O, no threads,
 * no global state; every random byte comes from the context's injected randomness source.
 *
 * Conventions for every header under mpc/:
 *  - Argument order: context first, then outputs, then in/out, then inputs; a length follows its
 *    buffer. Unless a doc block says otherwise, no pointer argument may be NULL.
 *  - Functions that can fail return MPC_OK (0) or a negative MPC_E_* code. Predicates return 1/0.
 *  - API misuse (NULL pointer, impossible sizes) calls the context's illegal callback (default:
 *    print and abort) and returns MPC_E_ILLEGAL. Malformed peer data never reaches that callback.
 *  - Names ending in _var are variable time and must only ever see public data; everything else
 *    is constant time with respect to its secret inputs.
 *  - Objects marked SECRET must be wiped with mpc_memclear (or their _clear function) after use.
 */
#ifndef MPC_MPC_H
#define MPC_MPC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MPC_API __attribute__((visibility("default")))
#define MPC_WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#define MPC_ARG_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))

/* Library protocol version; part of every hash tag and every serialized object. */
#define MPC_PROTOCOL_VERSION 1u

/* Largest supported number of parties n. */
#define MPC_MAX_PARTIES 16u

enum {
    MPC_OK = 0,
    MPC_E_ILLEGAL = -1,      /* API misuse; the illegal callback was called */
    MPC_E_INTERNAL = -2,     /* a should-not-happen failure inside the library or a dependency */
    MPC_E_RANDOM = -3,       /* the randomness source failed */
    MPC_E_ENCODING = -4,     /* malformed bytes: length, magic, version, non-canonical scalar/point */
    MPC_E_SESSION = -5,      /* header mismatch (session, round, sender, receiver), replayed,
                                duplicate or missing message: nobody is blamed */
    MPC_E_STATE = -6,        /* call out of order for this object's state, or object already used */
    MPC_E_PROOF = -7,        /* a named party's proof, commitment opening or share failed to verify:
                                abort; the party is in the blame list (DKG: exclude it) */
    MPC_E_EQUIVOCATION = -8, /* echo mismatch: some party sent different broadcasts; recoverable */
    MPC_E_BAN = -9,          /* a check whose failure can leak secrets failed (OT extension, RVOLE,
                                Gu/Gv): abort and ban the parties in the blame list permanently */
    MPC_E_INCONSISTENT = -10 /* not attributable: sum pk != pk*, R or U degenerate, final verify */
};

/* Parties blamed by a failed protocol step (1-based indices). */
typedef struct {
    uint32_t count;
    uint32_t party[MPC_MAX_PARTIES];
} mpc_blame;

/* Human-readable name of an MPC_E_* code (static string, never NULL). */
MPC_API const char *mpc_strerror(int err);

/* Randomness source: fills out with len uniformly random bytes. Returns 1 on success, 0 on failure. */
typedef int (*mpc_rng_fn)(unsigned char *out, size_t len, void *data);

typedef struct mpc_context_struct mpc_context;

/** Create a context using libsodium's randombytes_buf as its randomness source.
 *  Returns: the context, or NULL if libsodium or libsecp256k1 could not be initialised. */
MPC_API mpc_context *mpc_context_create(void) MPC_WARN_UNUSED_RESULT;

/** Destroy a context (NULL is allowed and does nothing). */
MPC_API void mpc_context_destroy(mpc_context *ctx);

/** Replace the randomness source (tests use a deterministic seeded generator). The secp256k1
 *  blinding is re-randomized from the new source.
 *  Returns: MPC_OK, or MPC_E_RANDOM if the new source fails. */
MPC_API int mpc_context_set_rng(mpc_context *ctx, mpc_rng_fn fn, void *data) MPC_ARG_NONNULL(1, 2);

/** Replace the illegal-argument callback (NULL restores the default, which prints and aborts). */
MPC_API void mpc_context_set_illegal_callback(mpc_context *ctx,
        void (*fn)(const char *message, void *data), void *data) MPC_ARG_NONNULL(1);

/** TEST ONLY (the valgrind constant-time test): enable (enable != 0) or disable marking the
 *  values libmpc makes public by protocol design (message fields, check verdicts, signatures) as
 *  defined for valgrind's memcheck, so that a test can mark secrets undefined and have memcheck
 *  report only secret-dependent branches. Default off. Does nothing unless libmpc was built with
 *  valgrind's headers; it never changes any result. */
MPC_API void mpc_context_set_declassify(mpc_context *ctx, int enable) MPC_ARG_NONNULL(1);

/** Fill out with len bytes from the context's randomness source.
 *  Returns: MPC_OK or MPC_E_RANDOM. */
MPC_API int mpc_random_bytes(const mpc_context *ctx, unsigned char *out, size_t len)
        MPC_WARN_UNUSED_RESULT MPC_ARG_NONNULL(1, 2);

/* The one wipe primitive: zeroes len bytes in a way the compiler cannot remove. */
MPC_API void mpc_memclear(void *p, size_t len);

/* Constant-time equality of two byte strings of the same length: 1 if equal, 0 otherwise. */
MPC_API int mpc_memeq(const void *a, const void *b, size_t len);

/** Locked, guarded, non-dumpable allocation for long-lived secrets (libsodium sodium_malloc).
 *  Returns NULL on failure. The memory is filled with garbage, not zeroed. */
MPC_API void *mpc_secure_alloc(size_t len) MPC_WARN_UNUSED_RESULT;

/* Wipe and release memory from mpc_secure_alloc (NULL is allowed). */
MPC_API void mpc_secure_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
