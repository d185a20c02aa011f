/*
 * Request handlers of the enclave after its identity is loaded: sealed state (LOAD), START (audit
 * chain, sandbox), keygen, signing requests and signing sessions, driven through libmpc with every
 * protocol message carried over an end-to-end channel (channel.h). Dispatched by ipc.c's
 * permission table, which has already checked the message type against the state.
 *
 * Keygen:  KEYGEN_START(inst, n, t, peers) -> inst refused if accepted before, else added to the
 *          instance-id set, which goes out sealed before round 1 (see accept_inst in session.c);
 *          round 1 out; KEYGEN_ROUND r=1..3 -> round r+1 out;
 *          KEYGEN_ROUND 4 -> KeygenResult(key id = sid, pk, chain code, public-state hash);
 *          KEYGEN_COMMIT(all n hashes, each equal to ours) -> Sealed key share + empty used set.
 *          The share never leaves the enclave unsealed and is not usable before the commit.
 * Refresh: REFRESH_START(key id, inst, peers) -> inst checked and recorded as for a DKG; round 1
 *          out (channel key id = inst, session id =
 *          the old key id); then exactly as keygen. The commit replaces the old share by the new
 *          one (new key id, empty used set, bans carried over); until then the old one signs.
 * Policy:  given once with INIT (enc_session_init_policy: parsed and checked by state.c, refused
 *          with a Status naming the rule), sealed as its own blob kind (ENC_STATE_KIND_POLICY) and
 *          afterwards taken only from that blob at LOAD; nothing replaces it (a policy update
 *          needs an approved-update flow, not built yet).
 * Signing: SIGN_REQUEST -> the enclave decodes the payload, computes the digest itself and answers
 *          a Verdict signed with its identity key (encodings: verdict.h; with a policy the Verdict
 *          also carries the policy's approval quorum, approvals_required, unsigned).
 *          Permitted in every state after START, also while a keygen or signing session runs: it
 *          reads the key store and writes only the verdict ring, never the running session.
 *          Without a policy (interim rule): EIP-191 personal messages only, no approvals; version 1.
 *          With a policy: every payload type of payload/summary.h, decoded by payload_summary_build
 *          with the policy's chain id, native symbol, asset registry, MultiSendCallOnly allowlist and
 *          Bitcoin network; exactly one digest (a PSBT with several inputs is denied); request id
 *          of 32 bytes; summary = payload_summary_render_text || the decision lines; version 2.
 *          An allowing verdict is kept for its SIGN_START in a ring of the last ENC_SESSION_VERDICTS
 *          allowed sigids (a repeated sigid replaces its entry); an older one is forgotten and its
 *          SIGN_START refused, so the parent must ask again.
 *          SIGN_START(sigid, peers, request id, approvals) -> with a policy, policy_approval_check
 *          on (request id, key id, the enclave's digest) at CLOCK_REALTIME first: anything short of
 *          "approved" is a Status ENC_SESSION_E_APPROVALS naming every refused approval, audited,
 *          and burns no sigid (the verdict stays, so more approvals can be sent). Then the sigid is
 *          checked against and added to the key's used set, the used set sealed and sent; no nonce
 *          exists yet. STORED(hash of that blob) -> round 1 out
 *          (nonces drawn here, never before the parent has stored the set durably);
 *          SIGN_ROUND 1 -> round 2 out; SIGN_ROUND 2 -> round-3 broadcast out (and its public
 *          libmpc bytes for the combiner); the session ends.
 * Errors:  channel errors (ENC_CHAN_E_*) abort the session as transport errors and blame nobody;
 *          MPC_E_BAN bans the parties libmpc names (sealed ban list sent); other libmpc errors
 *          abort without a ban. Each is a Status reply; the enclave keeps running.
 */
#ifndef ENC_SESSION_H
#define ENC_SESSION_H

#include "ipc.h"
#include "verdict.h"

#define ENC_PAYLOAD_EIP191_PERSONAL 1u
#define ENC_DECISION_ALLOW ENC_VERDICT_ALLOW
#define ENC_DECISION_DENY ENC_VERDICT_DENY
/* Allowing verdicts remembered for their SIGN_START (one per request in flight). */
#define ENC_SESSION_VERDICTS 64u

/* Session-level refusals (answered with Status, not fatal). */
enum {
    ENC_SESSION_E_REFUSED = -700,  /* no allowing verdict for this sigid, or policy says no */
    ENC_SESSION_E_BANNED = -701,   /* a participant is banned for this key */
    ENC_SESSION_E_PEERS = -702,    /* peers do not match the signing set or n */
    ENC_SESSION_E_RECONCILE = -703, /* a party reported another public-state hash */
    ENC_SESSION_E_ROUND = -704,    /* relayed round for another session, round or count (transport) */
    ENC_SESSION_E_INST_REUSED = -705, /* DKG/refresh instance id accepted before (PROTOCOL.md 1.3) */
    ENC_SESSION_E_APPROVALS = -706  /* approval quorum not reached, vetoed, or approvals without policy */
};

/* Wipe and free the engine (NULL allowed). */
void enc_engine_destroy(struct enc_engine *g);

/** INIT with a policy: check and install it before the identity is created.
 *  Returns: ENC_OK (with *refused = 1 when it was invalid: a Status naming the rule was sent) or a
 *  fatal error. */
int enc_session_init_policy(enc_ipc *e, int *refused, const Mpc__Enclave__Policy *p) ENC_WARN_UNUSED_RESULT;

/* Send the installed policy sealed (kind ENC_STATE_KIND_POLICY); a no-op without one. */
int enc_session_send_policy(enc_ipc *e) ENC_WARN_UNUSED_RESULT;

int enc_session_h_load(enc_ipc *e, const Mpc__Enclave__Envelope *in) ENC_WARN_UNUSED_RESULT;
int enc_session_h_start(enc_ipc *e, const Mpc__Enclave__Envelope *in) ENC_WARN_UNUSED_RESULT;
int enc_session_h_keygen_start(enc_ipc *e, const Mpc__Enclave__Envelope *in) ENC_WARN_UNUSED_RESULT;
int enc_session_h_refresh_start(enc_ipc *e, const Mpc__Enclave__Envelope *in) ENC_WARN_UNUSED_RESULT;
int enc_session_h_keygen_round(enc_ipc *e, const Mpc__Enclave__Envelope *in) ENC_WARN_UNUSED_RESULT;
int enc_session_h_keygen_commit(enc_ipc *e, const Mpc__Enclave__Envelope *in) ENC_WARN_UNUSED_RESULT;
int enc_session_h_sign_request(enc_ipc *e, const Mpc__Enclave__Envelope *in) ENC_WARN_UNUSED_RESULT;
int enc_session_h_sign_start(enc_ipc *e, const Mpc__Enclave__Envelope *in) ENC_WARN_UNUSED_RESULT;
int enc_session_h_stored(enc_ipc *e, const Mpc__Enclave__Envelope *in) ENC_WARN_UNUSED_RESULT;
int enc_session_h_sign_round(enc_ipc *e, const Mpc__Enclave__Envelope *in) ENC_WARN_UNUSED_RESULT;

/* Audit record of type (ENC_AUDIT_*) with a text payload, sent as an Audit frame; a no-op before
 * START. Returns: ENC_OK or a send error. */
int enc_session_audit(enc_ipc *e, uint16_t type, const char *text) ENC_WARN_UNUSED_RESULT;

#endif
