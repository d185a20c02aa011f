/* Operator approvals (enclave/policy/approval.h): the approval parser, the approver-set parser and
 * the quorum check. Byte 0 selects: 0 = the rest is one approval, 1 = the rest is an approvers
 * file, 2 = the rest is a list of approvals of POLICY_APPROVAL_BYTES each (the last may be short).
 * Approvals are checked against the 2-of-3 set of gen_approval_vectors.py, so valid signatures
 * from the seed corpus reach every rule. Invariants: a parsed approval serializes to the same
 * bytes; a parsed approver set passes validation; an approved verdict has a quorum of valid
 * approvals and no veto. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "approval.h"
#include "approval_vectors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static policy_approver_set g_set;
static unsigned char g_request_id[32], g_key_id[32], g_digest[32];

static void unhex(unsigned char *out, size_t len, const char *hex) {
    if (sodium_hex2bin(out, len, hex, strlen(hex), NULL, NULL, NULL) != 0)
        abort();
}

static void init_once(void) {
    static int done;

    if (done)
        return;
    if (sodium_init() < 0 ||
        policy_approver_set_parse(NULL, &g_set, AV_APPROVERS_2_OF_3, strlen(AV_APPROVERS_2_OF_3)) != POLICY_OK)
        abort();
    unhex(g_request_id, 32, AV_REQUEST_ID);
    unhex(g_key_id, 32, AV_KEY_ID);
    unhex(g_digest, 32, AV_DIGEST);
    done = 1;
}

/* Checks consecutive approvals of chunk bytes each (the last may be shorter). */
static void check_list(const uint8_t *data, size_t size, size_t chunk) {
    policy_approval_bytes in[POLICY_APPROVALS_MAX];
    policy_approval_result res[POLICY_APPROVALS_MAX];
    policy_verdict v;
    size_t n = 0, i, valid = 0;

    while (size > 0 && n < POLICY_APPROVALS_MAX) {
        in[n].data = data;
        in[n].len = size < chunk ? size : chunk;
        data += in[n].len;
        size -= in[n].len;
        n++;
    }
    if (policy_approval_check(NULL, &v, res, &g_set, g_request_id, g_key_id, g_digest, AV_NOW, in, n) != POLICY_OK)
        abort();
    for (i = 0; i < n; i++)
        valid += res[i].status == POLICY_OK && res[i].decision == POLICY_DECISION_APPROVE;
    if (valid != v.approvals)
        abort();
    if (v.verdict == POLICY_VERDICT_APPROVED && (v.approvals < g_set.quorum || v.vetoed_by >= 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    unsigned char again[POLICY_APPROVAL_BYTES];
    policy_approver_set set;
    policy_approval a;
    policy_err err;

    init_once();
    if (size == 0)
        return 0;
    switch (data[0]) {
    case 0:
        if (policy_approval_parse(&err, &a, data + 1, size - 1) == POLICY_OK) {
            if (policy_approval_serialize(again, &a) != POLICY_OK || memcmp(again, data + 1, sizeof(again)) != 0)
                abort();
        }
        check_list(data + 1, size - 1, size - 1);
        break;
    case 1:
        if (policy_approver_set_parse(&err, &set, (const char *)data + 1, size - 1) == POLICY_OK &&
            policy_approver_set_validate(&err, &set) != POLICY_OK)
            abort();
        break;
    case 2:
        check_list(data + 1, size - 1, POLICY_APPROVAL_BYTES);
        break;
    default:
        break;
    }
    return 0;
}
