/* Operator approvals and the quorum (enclave/policy/approval.h). Approvals signed by the
 * independent Python implementation (gen_approval_vectors.py -> approval_vectors.h) are accepted
 * and reproduced byte for byte by the C signer; every refusal reason is produced by an approval
 * that differs from a valid one in exactly that respect. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "approval.h"
#include "approval_vectors.h"

enum { ALICE, BOB, CAROL, MALLORY, NKEYS };

static const char *const seeds_hex[NKEYS] = {
    AV_SEED_ALICE, AV_SEED_BOB, AV_SEED_CAROL,
    /* not in the approver set */
    "4d616c6c6f727920697320616e206f70657261746f72206e6f7420696e207365"};

typedef struct {
    policy_approver_set set;
    unsigned char sk[NKEYS][64];
    unsigned char pk[NKEYS][32];
    unsigned char request_id[32], key_id[32], digest[32];
} fixture;

static void unhex(unsigned char *out, size_t out_len, const char *hex) {
    size_t n = 0;

    assert_int_equal(sodium_hex2bin(out, out_len, hex, strlen(hex), NULL, &n, NULL), 0);
    assert_int_equal(n, out_len);
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof(*f));
    unsigned char seed[32];
    policy_err err;
    size_t i;

    assert_non_null(f);
    assert_true(sodium_init() >= 0);
    for (i = 0; i < NKEYS; i++) {
        unhex(seed, 32, seeds_hex[i]);
        assert_int_equal(crypto_sign_seed_keypair(f->pk[i], f->sk[i], seed), 0);
    }
    unhex(f->request_id, 32, AV_REQUEST_ID);
    unhex(f->key_id, 32, AV_KEY_ID);
    unhex(f->digest, 32, AV_DIGEST);
    assert_int_equal(policy_approver_set_parse(&err, &f->set, AV_APPROVERS_2_OF_3, strlen(AV_APPROVERS_2_OF_3)),
                     POLICY_OK);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;

    sodium_memzero(f, sizeof(*f));
    free(f);
    return 0;
}

static policy_approval_statement base_statement(const fixture *f, int who, uint8_t decision) {
    policy_approval_statement st;

    memcpy(st.request_id, f->request_id, 32);
    memcpy(st.key_id, f->key_id, 32);
    memcpy(st.subject, f->digest, 32);
    st.decision = decision;
    st.expiry = AV_EXPIRY;
    memcpy(st.approver_pubkey, f->pk[who], 32);
    return st;
}

static void sign_bytes(unsigned char out[POLICY_APPROVAL_BYTES], const fixture *f, int who,
                       const policy_approval_statement *st) {
    policy_approval a;

    assert_int_equal(policy_approval_sign(&a, st, f->sk[who]), POLICY_OK);
    assert_int_equal(policy_approval_serialize(out, &a), POLICY_OK);
}

/* Runs the check at AV_NOW on n approvals of POLICY_APPROVAL_BYTES each. */
static policy_verdict check(const fixture *f, policy_approval_result *res,
                            unsigned char (*bytes)[POLICY_APPROVAL_BYTES], size_t n) {
    policy_approval_bytes in[8];
    policy_verdict v;
    policy_err err;
    size_t i;

    assert_true(n <= 8);
    for (i = 0; i < n; i++) {
        in[i].data = bytes[i];
        in[i].len = POLICY_APPROVAL_BYTES;
    }
    assert_int_equal(policy_approval_check(&err, &v, res, &f->set, f->request_id, f->key_id, f->digest, AV_NOW, in, n),
                     POLICY_OK);
    assert_int_equal(v.quorum, 2);
    return v;
}

/* One approval from who with a single field changed, checked next to a valid one from bob: the
 * changed approval must be refused with `reason` and the verdict stays pending. */
static void expect_refused(const fixture *f, int who, const policy_approval_statement *st, int reason) {
    unsigned char b[2][POLICY_APPROVAL_BYTES];
    policy_approval_statement good = base_statement(f, BOB, POLICY_DECISION_APPROVE);
    policy_approval_result res[2];
    policy_verdict v;

    sign_bytes(b[0], f, who, st);
    sign_bytes(b[1], f, BOB, &good);
    v = check(f, res, b, 2);
    assert_int_equal(res[0].status, reason);
    assert_int_equal(res[1].status, POLICY_OK);
    assert_int_equal(v.verdict, POLICY_VERDICT_PENDING);
    assert_int_equal(v.approvals, 1);
}

static void test_python_vectors_accepted(void **state) {
    const fixture *f = *state;
    unsigned char b[3][POLICY_APPROVAL_BYTES], mine[POLICY_APPROVAL_BYTES];
    policy_approval_statement st = base_statement(f, ALICE, POLICY_DECISION_APPROVE);
    policy_approval_result res[3];
    policy_approval parsed;
    policy_verdict v;

    unhex(b[0], sizeof(b[0]), AV_APPROVAL_ALICE_APPROVE);
    unhex(b[1], sizeof(b[1]), AV_APPROVAL_BOB_APPROVE);
    unhex(b[2], sizeof(b[2]), AV_APPROVAL_CAROL_REJECT);
    v = check(f, res, b, 2);
    assert_int_equal(v.verdict, POLICY_VERDICT_APPROVED);
    assert_int_equal(v.approvals, 2);
    assert_int_equal(res[0].status, POLICY_OK);
    assert_int_equal(res[0].approver, ALICE);
    assert_int_equal(res[1].approver, BOB);
    /* Ed25519 is deterministic: the C encoder and signer must produce Python's bytes exactly. */
    sign_bytes(mine, f, ALICE, &st);
    assert_memory_equal(mine, b[0], POLICY_APPROVAL_BYTES);
    assert_int_equal(policy_approval_parse(NULL, &parsed, b[2], POLICY_APPROVAL_BYTES), POLICY_OK);
    assert_int_equal(parsed.statement.decision, POLICY_DECISION_REJECT);
    assert_true(parsed.statement.expiry == AV_EXPIRY);
    assert_memory_equal(parsed.statement.approver_pubkey, f->pk[CAROL], 32);
    assert_memory_equal(parsed.statement.subject, f->digest, 32);
}

static void test_two_of_three_any_pair(void **state) {
    const fixture *f = *state;
    static const int pairs[3][2] = {{ALICE, BOB}, {ALICE, CAROL}, {CAROL, BOB}};
    unsigned char b[3][POLICY_APPROVAL_BYTES];
    policy_approval_statement st;
    policy_approval_result res[3];
    policy_verdict v;
    size_t i, j;

    for (i = 0; i < 3; i++) {
        for (j = 0; j < 2; j++) {
            st = base_statement(f, pairs[i][j], POLICY_DECISION_APPROVE);
            sign_bytes(b[j], f, pairs[i][j], &st);
        }
        v = check(f, res, b, 2);
        assert_int_equal(v.verdict, POLICY_VERDICT_APPROVED);
        assert_int_equal(v.approvals, 2);
        assert_int_equal(v.vetoed_by, -1);
    }
    st = base_statement(f, ALICE, POLICY_DECISION_APPROVE);
    sign_bytes(b[2], f, ALICE, &st);
    v = check(f, res, b, 3);
    assert_int_equal(v.verdict, POLICY_VERDICT_APPROVED);
    assert_int_equal(v.approvals, 3);
}

static void test_quorum_not_reached(void **state) {
    const fixture *f = *state;
    unsigned char b[1][POLICY_APPROVAL_BYTES];
    policy_approval_result res[1];
    policy_verdict v;

    v = check(f, NULL, b, 0);
    assert_int_equal(v.verdict, POLICY_VERDICT_PENDING);
    assert_int_equal(v.approvals, 0);
    unhex(b[0], sizeof(b[0]), AV_APPROVAL_ALICE_APPROVE);
    v = check(f, res, b, 1);
    assert_int_equal(v.verdict, POLICY_VERDICT_PENDING);
    assert_int_equal(v.approvals, 1);
}

static void test_reject_vetoes(void **state) {
    const fixture *f = *state;
    unsigned char b[3][POLICY_APPROVAL_BYTES];
    policy_approval_statement st;
    policy_approval_result res[3];
    policy_verdict v;

    unhex(b[0], sizeof(b[0]), AV_APPROVAL_ALICE_APPROVE);
    unhex(b[1], sizeof(b[1]), AV_APPROVAL_BOB_APPROVE);
    unhex(b[2], sizeof(b[2]), AV_APPROVAL_CAROL_REJECT);
    v = check(f, res, b, 3);
    assert_int_equal(v.verdict, POLICY_VERDICT_REJECTED);
    assert_int_equal(v.vetoed_by, CAROL);
    assert_int_equal(v.approvals, 2);
    assert_int_equal(res[2].status, POLICY_OK);
    assert_int_equal(res[2].decision, POLICY_DECISION_REJECT);
    /* An approver who approved and then rejects still vetoes. */
    st = base_statement(f, ALICE, POLICY_DECISION_REJECT);
    sign_bytes(b[2], f, ALICE, &st);
    v = check(f, res, b, 3);
    assert_int_equal(v.verdict, POLICY_VERDICT_REJECTED);
    assert_int_equal(v.vetoed_by, ALICE);
    assert_int_equal(res[2].status, POLICY_E_DUPLICATE);
    /* A reject that is not valid (here: expired) vetoes nothing. */
    st = base_statement(f, CAROL, POLICY_DECISION_REJECT);
    st.expiry = AV_NOW;
    sign_bytes(b[2], f, CAROL, &st);
    v = check(f, res, b, 3);
    assert_int_equal(res[2].status, POLICY_E_EXPIRED);
    assert_int_equal(v.verdict, POLICY_VERDICT_APPROVED);
}

static void test_refusals(void **state) {
    const fixture *f = *state;
    policy_approval_statement st;

    st = base_statement(f, MALLORY, POLICY_DECISION_APPROVE);
    expect_refused(f, MALLORY, &st, POLICY_E_UNKNOWN_APPROVER);
    st = base_statement(f, ALICE, POLICY_DECISION_APPROVE);
    st.request_id[31] ^= 1;
    expect_refused(f, ALICE, &st, POLICY_E_REQUEST_ID);
    st = base_statement(f, ALICE, POLICY_DECISION_APPROVE);
    st.key_id[0] ^= 0x80;
    expect_refused(f, ALICE, &st, POLICY_E_KEY_ID);
    st = base_statement(f, ALICE, POLICY_DECISION_APPROVE);
    st.subject[16] ^= 4;
    expect_refused(f, ALICE, &st, POLICY_E_DIGEST);
    st = base_statement(f, ALICE, POLICY_DECISION_APPROVE);
    st.expiry = AV_NOW;
    expect_refused(f, ALICE, &st, POLICY_E_EXPIRED);
    st.expiry = AV_NOW - 1;
    expect_refused(f, ALICE, &st, POLICY_E_EXPIRED);
    st.expiry = 0;
    expect_refused(f, ALICE, &st, POLICY_E_EXPIRED);
    st.expiry = AV_NOW + 3601;
    expect_refused(f, ALICE, &st, POLICY_E_LIFETIME);
    st.expiry = UINT64_MAX;
    expect_refused(f, ALICE, &st, POLICY_E_LIFETIME);
}

static void test_expiry_bounds_accepted(void **state) {
    const fixture *f = *state;
    unsigned char b[2][POLICY_APPROVAL_BYTES];
    policy_approval_statement st;
    policy_approval_result res[2];
    policy_verdict v;

    st = base_statement(f, ALICE, POLICY_DECISION_APPROVE);
    st.expiry = AV_NOW + 1;
    sign_bytes(b[0], f, ALICE, &st);
    st = base_statement(f, BOB, POLICY_DECISION_APPROVE);
    st.expiry = AV_NOW + 3600;
    sign_bytes(b[1], f, BOB, &st);
    v = check(f, res, b, 2);
    assert_int_equal(res[0].status, POLICY_OK);
    assert_int_equal(res[1].status, POLICY_OK);
    assert_int_equal(v.verdict, POLICY_VERDICT_APPROVED);
}

static void test_duplicate_counted_once(void **state) {
    const fixture *f = *state;
    unsigned char b[3][POLICY_APPROVAL_BYTES];
    policy_approval_statement st = base_statement(f, ALICE, POLICY_DECISION_APPROVE);
    policy_approval_result res[3];
    policy_verdict v;

    unhex(b[0], sizeof(b[0]), AV_APPROVAL_ALICE_APPROVE);
    memcpy(b[1], b[0], sizeof(b[0]));
    /* A second, differently worded approval by the same key is still the same approver. */
    st.expiry = AV_EXPIRY + 1;
    sign_bytes(b[2], f, ALICE, &st);
    v = check(f, res, b, 3);
    assert_int_equal(res[0].status, POLICY_OK);
    assert_int_equal(res[1].status, POLICY_E_DUPLICATE);
    assert_int_equal(res[2].status, POLICY_E_DUPLICATE);
    assert_int_equal(res[2].approver, ALICE);
    assert_int_equal(v.approvals, 1);
    assert_int_equal(v.verdict, POLICY_VERDICT_PENDING);
}

static void test_malformed(void **state) {
    const fixture *f = *state;
    unsigned char b[2][POLICY_APPROVAL_BYTES + 1], ok[POLICY_APPROVAL_BYTES];
    policy_approval_bytes in[2];
    policy_approval_result res[2];
    policy_approval parsed;
    policy_verdict v;
    policy_err err;
    size_t lens[] = {0, 1, POLICY_APPROVAL_STATEMENT_BYTES, POLICY_APPROVAL_BYTES - 1, POLICY_APPROVAL_BYTES + 1};
    size_t i;

    unhex(ok, sizeof(ok), AV_APPROVAL_ALICE_APPROVE);
    memcpy(b[0], ok, sizeof(ok));
    b[0][POLICY_APPROVAL_BYTES] = 0;
    unhex(b[1], POLICY_APPROVAL_BYTES, AV_APPROVAL_BOB_APPROVE);
    for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        in[0].data = b[0];
        in[0].len = lens[i];
        in[1].data = b[1];
        in[1].len = POLICY_APPROVAL_BYTES;
        assert_int_equal(policy_approval_check(&err, &v, res, &f->set, f->request_id, f->key_id, f->digest, AV_NOW,
                                               in, 2),
                         POLICY_OK);
        assert_int_equal(res[0].status, POLICY_E_LENGTH);
        assert_int_equal(res[0].approver, -1);
        assert_int_equal(v.verdict, POLICY_VERDICT_PENDING);
        assert_int_equal(policy_approval_parse(&err, &parsed, b[0], lens[i]), POLICY_E_LENGTH);
        assert_non_null(strstr(err.msg, "expected exactly 217"));
    }
    in[0].data = NULL;
    in[0].len = POLICY_APPROVAL_BYTES;
    assert_int_equal(policy_approval_check(&err, &v, res, &f->set, f->request_id, f->key_id, f->digest, AV_NOW, in, 2),
                     POLICY_OK);
    assert_int_equal(res[0].status, POLICY_E_LENGTH);
    /* Label of another version, another label, unknown decisions. */
    memcpy(b[0], ok, sizeof(ok));
    b[0][14] = '2';
    assert_int_equal(policy_approval_parse(&err, &parsed, b[0], POLICY_APPROVAL_BYTES), POLICY_E_VERSION);
    memcpy(b[0], "mpc-enclave/ver", 15);
    assert_int_equal(policy_approval_parse(&err, &parsed, b[0], POLICY_APPROVAL_BYTES), POLICY_E_LABEL);
    memcpy(b[0], ok, sizeof(ok));
    for (i = 0; i < 256; i++) {
        b[0][112] = (unsigned char)i;
        assert_int_equal(policy_approval_parse(&err, &parsed, b[0], POLICY_APPROVAL_BYTES),
                         i == 1 || i == 2 ? POLICY_OK : POLICY_E_DECISION);
    }
}

/* Every single-bit change of a valid approval is refused, with the reason its field implies. */
static void test_every_bit_flip(void **state) {
    const fixture *f = *state;
    unsigned char b[2][POLICY_APPROVAL_BYTES], ok[POLICY_APPROVAL_BYTES];
    policy_approval_result res[2];
    policy_verdict v;
    size_t byte;
    int bit, want;

    unhex(ok, sizeof(ok), AV_APPROVAL_ALICE_APPROVE);
    unhex(b[1], sizeof(b[1]), AV_APPROVAL_BOB_APPROVE);
    for (byte = 0; byte < POLICY_APPROVAL_BYTES; byte++) {
        if (byte < 13)
            want = POLICY_E_LABEL;
        else if (byte < 16)
            want = POLICY_E_VERSION;
        else if (byte == 112)
            want = POLICY_E_DECISION;
        else if (byte >= 121 && byte < 153)
            want = POLICY_E_UNKNOWN_APPROVER;
        else
            want = POLICY_E_SIGNATURE;
        for (bit = 0; bit < 8; bit++) {
            memcpy(b[0], ok, sizeof(ok));
            b[0][byte] ^= (unsigned char)(1u << bit);
            v = check(f, res, b, 2);
            if (res[0].status != want)
                fail_msg("byte %zu bit %d: status %d, expected %d", byte, bit, res[0].status, want);
            assert_int_equal(v.verdict, POLICY_VERDICT_PENDING);
            assert_int_equal(v.approvals, 1);
        }
    }
}

static void test_bad_signature(void **state) {
    const fixture *f = *state;
    unsigned char b[2][POLICY_APPROVAL_BYTES], other[POLICY_APPROVAL_BYTES];
    policy_approval_statement st = base_statement(f, ALICE, POLICY_DECISION_APPROVE);
    policy_approval_result res[2];
    policy_approval a;

    /* Alice's statement signed by Bob's key. */
    assert_int_equal(policy_approval_sign(&a, &st, f->sk[BOB]), POLICY_E_ARG);
    unhex(b[0], sizeof(b[0]), AV_APPROVAL_ALICE_APPROVE);
    unhex(other, sizeof(other), AV_APPROVAL_BOB_APPROVE);
    memcpy(b[0] + POLICY_APPROVAL_STATEMENT_BYTES, other + POLICY_APPROVAL_STATEMENT_BYTES, POLICY_APPROVAL_SIG_BYTES);
    unhex(b[1], sizeof(b[1]), AV_APPROVAL_BOB_APPROVE);
    (void)check(f, res, b, 2);
    assert_int_equal(res[0].status, POLICY_E_SIGNATURE);
    memset(b[0] + POLICY_APPROVAL_STATEMENT_BYTES, 0, POLICY_APPROVAL_SIG_BYTES);
    (void)check(f, res, b, 2);
    assert_int_equal(res[0].status, POLICY_E_SIGNATURE);
}

static void test_check_arguments(void **state) {
    const fixture *f = *state;
    policy_approval_bytes in[POLICY_APPROVALS_MAX + 1];
    policy_approval_result res[POLICY_APPROVALS_MAX + 1];
    unsigned char a[POLICY_APPROVAL_BYTES];
    policy_approver_set set = f->set;
    policy_verdict v;
    policy_err err;
    size_t i;

    unhex(a, sizeof(a), AV_APPROVAL_ALICE_APPROVE);
    for (i = 0; i <= POLICY_APPROVALS_MAX; i++) {
        in[i].data = a;
        in[i].len = sizeof(a);
    }
    assert_int_equal(policy_approval_check(&err, &v, res, &set, f->request_id, f->key_id, f->digest, AV_NOW, in,
                                           POLICY_APPROVALS_MAX + 1),
                     POLICY_E_ARG);
    assert_int_equal(v.verdict, POLICY_VERDICT_PENDING);
    assert_int_equal(policy_approval_check(&err, &v, res, &set, f->request_id, f->key_id, f->digest, AV_NOW, in,
                                           POLICY_APPROVALS_MAX),
                     POLICY_OK);
    assert_int_equal(v.approvals, 1);
    assert_int_equal(res[POLICY_APPROVALS_MAX - 1].status, POLICY_E_DUPLICATE);
    /* A caller-filled set with quorum 0 would approve everything: it is refused, nothing approved. */
    set.quorum = 0;
    assert_int_equal(policy_approval_check(&err, &v, res, &set, f->request_id, f->key_id, f->digest, AV_NOW, in, 1),
                     POLICY_E_ARG);
    assert_int_equal(v.verdict, POLICY_VERDICT_PENDING);
    assert_non_null(strstr(err.msg, "quorum 0"));
    set = f->set;
    set.quorum = 4;
    assert_int_equal(policy_approver_set_validate(&err, &set), POLICY_E_ARG);
    set = f->set;
    set.count = 0;
    assert_int_equal(policy_approver_set_validate(&err, &set), POLICY_E_ARG);
    set = f->set;
    set.max_lifetime = 0;
    assert_int_equal(policy_approver_set_validate(&err, &set), POLICY_E_ARG);
    set = f->set;
    memcpy(set.approvers[2].pubkey, set.approvers[0].pubkey, 32);
    assert_int_equal(policy_approver_set_validate(&err, &set), POLICY_E_ARG);
    set = f->set;
    memset(set.approvers[1].name, 'x', sizeof(set.approvers[1].name));
    assert_int_equal(policy_approver_set_validate(&err, &set), POLICY_E_ARG);
    set = f->set;
    set.approvers[1].name[0] = '\0';
    assert_int_equal(policy_approver_set_validate(&err, &set), POLICY_E_ARG);
    set = f->set;
    memset(set.approvers[1].pubkey, 0, 32);
    set.approvers[1].pubkey[0] = 1; /* the identity point: small order */
    assert_int_equal(policy_approver_set_validate(&err, &set), POLICY_E_ARG);
    assert_int_equal(policy_approver_set_validate(&err, &f->set), POLICY_OK);
}

#define PK_A "40f633193fe364b375fbf5d943cc3b9e6f3c827b306a22bb1106d4865fe25e11"
#define PK_B "db977dbbbc79c5792feeae2b0a7aeea0bb3b0dffb823d75305f34c770b84b81a"

static void test_approvers_file(void **state) {
    static const struct {
        const char *text;
        const char *why; /* substring of the error message */
    } bad[] = {
        {"approver a " PK_A "\nquorum 1", "newline"},
        {"approver a " PK_A "\r\nquorum 1\n", "control"},
        {"approver\ta " PK_A "\nquorum 1\n", "control"},
        {"approver a " PK_A " \nquorum 1\n", "trailing space"},
        {"approver a " PK_A "\nquorum 1 \n", "trailing space"},
        {"approver a " PK_A "\nquorum 1\nthreshold 1\n", "line 3: expected"},
        {" approver a " PK_A "\nquorum 1\n", "line 1: expected"},
        {"approver a 40F633193FE364B375FBF5D943CC3B9E6F3C827B306A22BB1106D4865FE25E11\nquorum 1\n", "hex"},
        {"approver a 40f633193fe364b375fbf5d943cc3b9e6f3c827b306a22bb1106d4865fe25e\nquorum 1\n", "hex"},
        {"approver a " PK_A "00\nquorum 1\n", "hex"},
        {"approver a\nquorum 1\n", "expected 'approver NAME HEX64'"},
        {"approver  " PK_A "\nquorum 1\n", "name"},
        {"approver a/b " PK_A "\nquorum 1\n", "name"},
        {"approver abcdefghijabcdefghijabcdefghijabc " PK_A "\nquorum 1\n", "name"},
        {"approver a " PK_A "\napprover a " PK_B "\nquorum 1\n", "appears twice"},
        {"approver a " PK_A "\napprover b " PK_A "\nquorum 1\n", "already used by 'a'"},
        {"approver a 0100000000000000000000000000000000000000000000000000000000000000\nquorum 1\n", "small order"},
        {"approver a ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f\nquorum 1\n", "Ed25519"},
        {"approver a " PK_A "\nquorum 0\n", "quorum must be"},
        {"approver a " PK_A "\nquorum 01\n", "quorum must be"},
        {"approver a " PK_A "\nquorum -1\n", "quorum must be"},
        {"approver a " PK_A "\nquorum 33\n", "quorum must be"},
        {"approver a " PK_A "\nquorum 99999999999999999999999\n", "quorum must be"},
        {"approver a " PK_A "\nquorum\n", "expected"},
        {"approver a " PK_A "\nquorum 2\n", "larger than"},
        {"approver a " PK_A "\nquorum 1\nquorum 1\n", "twice"},
        {"approver a " PK_A "\n", "no quorum"},
        {"quorum 1\n", "no approver"},
        {"", "no approver"},
        {"approver a " PK_A "\nquorum 1\nmax-lifetime 0\n", "max-lifetime must be"},
        {"approver a " PK_A "\nquorum 1\nmax-lifetime 604801\n", "max-lifetime must be"},
        {"approver a " PK_A "\nquorum 1\nmax-lifetime 60\nmax-lifetime 60\n", "twice"},
    };
    static const char good[] = "# operators of signer 1\n\napprover alice-1 " PK_A "\n#\napprover Bob_2.x " PK_B
                               "\nquorum 2\nmax-lifetime 604800\n";
    policy_approver_set set;
    policy_err err;
    char big[POLICY_APPROVERS_FILE_MAX + 2];
    size_t i, len;

    (void)state;
    assert_true(sodium_init() >= 0);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(policy_approver_set_parse(&err, &set, bad[i].text, strlen(bad[i].text)), POLICY_E_CONFIG);
        if (strstr(err.msg, bad[i].why) == NULL)
            fail_msg("case %zu: message '%s' lacks '%s'", i, err.msg, bad[i].why);
    }
    /* An embedded NUL is a control character, not the end of the text. */
    assert_int_equal(policy_approver_set_parse(&err, &set, "quorum 1\n\0\n", 11), POLICY_E_CONFIG);
    assert_int_equal(policy_approver_set_parse(&err, &set, good, strlen(good)), POLICY_OK);
    assert_int_equal(set.count, 2);
    assert_int_equal(set.quorum, 2);
    assert_true(set.max_lifetime == 604800);
    assert_string_equal(set.approvers[0].name, "alice-1");
    assert_string_equal(set.approvers[1].name, "Bob_2.x");
    assert_int_equal(policy_approver_set_parse(&err, &set, good, strlen(good) - 20), POLICY_OK);
    assert_true(set.max_lifetime == POLICY_LIFETIME_DEFAULT);
    /* Size limit, and more than POLICY_APPROVERS_MAX approvers. */
    memset(big, '#', sizeof(big));
    big[sizeof(big) - 1] = '\n';
    assert_int_equal(policy_approver_set_parse(&err, &set, big, sizeof(big)), POLICY_E_CONFIG);
    len = 0;
    for (i = 0; i <= POLICY_APPROVERS_MAX; i++) {
        unsigned char pk[32], sk[64];

        crypto_sign_keypair(pk, sk);
        len += (size_t)snprintf(big + len, sizeof(big) - len, "approver n%zu ", i);
        sodium_bin2hex(big + len, sizeof(big) - len, pk, 32);
        len += 64;
        big[len++] = '\n';
    }
    len += (size_t)snprintf(big + len, sizeof(big) - len, "quorum 1\n");
    assert_int_equal(policy_approver_set_parse(&err, &set, big, len), POLICY_E_CONFIG);
    assert_non_null(strstr(err.msg, "line 33: more than 32"));
}

static void test_strings(void **state) {
    int c;

    (void)state;
    for (c = POLICY_E_DUPLICATE; c <= POLICY_E_LENGTH; c++)
        assert_string_not_equal(policy_strerror(c), "unknown error");
    assert_string_equal(policy_strerror(POLICY_E_EXPIRED), "expired (expiry <= now)");
    assert_string_equal(policy_verdict_str(POLICY_VERDICT_APPROVED), "approved");
    assert_string_equal(policy_verdict_str(POLICY_VERDICT_REJECTED), "rejected (vetoed)");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_python_vectors_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_of_three_any_pair, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quorum_not_reached, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reject_vetoes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expiry_bounds_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_counted_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_bit_flip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_signature, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_arguments, setup, teardown),
        cmocka_unit_test(test_approvers_file),
        cmocka_unit_test(test_strings),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
