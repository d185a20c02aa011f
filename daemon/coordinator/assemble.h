/*
 * Output assembly by the coordinator (ARCHITECTURE.md section 5 step 7, PAYLOADS.md): once the
 * threshold signature over a request's digest exists, turn it into what the requester submits to
 * the network or to a contract.
 *
 *   payload type          output
 *   1 eip191, 4 eip712,   r || s || v with v = 27 + recid (65 bytes: personal_sign, EIP-712 and
 *   5 safe-tx             Safe owner signatures)
 *   2 eth-tx, 3 erc20     the signed raw transaction (legacy EIP-155, EIP-2930 or EIP-1559)
 *   6 psbt                the PSBT with our partial signature added; when every input then has
 *                         its signature, also the finalized network transaction
 *
 * Nothing is trusted: the digest is recomputed from the payload with the enclave's own decoders
 * (mpc_payload) and must equal the digest that was signed, and the signature must be low-s and
 * recover, with recid, to the given public key. Any inconsistency is an error and nothing is
 * returned, so the coordinator never hands out an output for bytes other than those signed.
 *
 * Errors are negative ASSEMBLE_E_* codes; err receives a reason naming what was wrong (no secret
 * is involved: payloads, signatures and keys here are all public).
 */
#ifndef MPC_COORD_ASSEMBLE_H
#define MPC_COORD_ASSEMBLE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    ASSEMBLE_OK = 0,
    ASSEMBLE_E_ARG = -1,      /* unknown payload type, recid not 0/1, NULL or impossible arguments */
    ASSEMBLE_E_PAYLOAD = -2,  /* the payload does not decode (or is not of the kind its type says) */
    ASSEMBLE_E_MISMATCH = -3, /* digest, public key and signature are not consistent with the payload */
    ASSEMBLE_E_NOMEM = -4,
    ASSEMBLE_E_INTERNAL = -5  /* a step that cannot fail after the checks failed */
};

/* Size of an err buffer that always holds the whole reason. */
#define ASSEMBLE_ERR_MAX 256u
/* Length of the r || s || v output. */
#define ASSEMBLE_RSV_LEN 65u

typedef struct {
    unsigned char *output;   /* malloc'd; the signed output (see the table above) */
    size_t output_len;
    unsigned char *final_tx; /* psbt only: the extracted network transaction once every input is
                                signed and finalizable; NULL otherwise (and for the other types) */
    size_t final_tx_len;
} assemble_out;

/** Assemble the signed output of a request.
 *  Returns: ASSEMBLE_OK, or a negative ASSEMBLE_E_* code with *out all NULL/0.
 *  Out:  err[0..errlen) (may be NULL if errlen is 0): NUL-terminated reason on failure, empty on
 *        success; out: the output(s), which the caller releases with assemble_out_clear.
 *  In:   type: proto PayloadType 1..6 (payload/summary.h payload_type); payload[0..payload_len):
 *        the raw payload the requester submitted; sig64: r || s, big-endian, low-s; recid: 0 or 1; pubkey33: the
 *        compressed (derived) public key that signed; digest32: the digest that was signed. */
int assemble_output(char *err, size_t errlen, assemble_out *out, uint32_t type,
                    const unsigned char *payload, size_t payload_len, const unsigned char sig64[64], int recid,
                    const unsigned char pubkey33[33], const unsigned char digest32[32])
        __attribute__((warn_unused_result));

/** The output of a finished PSBT request again (after a coordinator restart) from the signed PSBT
 *  it returned, which the store kept: it must be the payload's transaction (the same input
 *  digests) with a partial signature of pubkey33 on every input that key spends; output is a copy
 *  of it and final_tx is extracted as assemble_output does. A PSBT signed one input per session
 *  cannot be rebuilt from the payload and the last signature alone.
 *  Returns: ASSEMBLE_OK, or a negative ASSEMBLE_E_* code with *out all NULL/0.
 *  Out:  err (as assemble_output), out (released with assemble_out_clear).
 *  In:   payload[0..payload_len): the raw PSBT the requester submitted; signed_psbt[0..signed_len):
 *        the stored output; pubkey33: the (derived) key that signed. */
int assemble_psbt_restore(char *err, size_t errlen, assemble_out *out, const unsigned char *payload,
                          size_t payload_len, const unsigned char *signed_psbt, size_t signed_len,
                          const unsigned char pubkey33[33]) __attribute__((warn_unused_result));

/** Free both buffers and reset *out to empty. out may be NULL; safe to call twice. */
void assemble_out_clear(assemble_out *out);

#ifdef __cplusplus
}
#endif

#endif
