/* The incremental frame decoder (daemon/net/frame.h) and the reconnect backoff formula. Streams
 * are built here byte by byte from the wire format (4-byte big-endian length, payload), not with
 * the code under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conn.h"
#include "frame.h"
#include "test_rng.h"

#define MAX_FRAMES 64

typedef struct {
    unsigned char *data;
    size_t len;
} buf;

static void put_be32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Payload i of a test stream: length lens[i], byte j = (i * 31 + j) mod 251. */
static unsigned char payload_byte(size_t i, size_t j) {
    return (unsigned char)((i * 31 + j) % 251);
}

static buf make_stream(const uint32_t *lens, size_t n) {
    buf s = {NULL, 0};
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        s.len += 4 + lens[i];
    }
    s.data = malloc(s.len ? s.len : 1);
    assert_non_null(s.data);
    for (size_t i = 0; i < n; i++) {
        put_be32(s.data + off, lens[i]);
        off += 4;
        for (size_t j = 0; j < lens[i]; j++) {
            s.data[off++] = payload_byte(i, j);
        }
    }
    return s;
}

/* Feeds the stream in chunks (chunk(k) gives the size of the k-th chunk) and checks every frame. */
static void decode_and_check(const uint32_t *lens, size_t n, uint32_t max, size_t (*chunk)(void *, size_t),
        void *arg) {
    buf s = make_stream(lens, n);
    net_frame_decoder d;
    size_t off = 0, got = 0, k = 0;

    assert_int_equal(net_frame_decoder_init(&d, max), NET_OK);
    while (off < s.len) {
        size_t len = chunk(arg, k++);
        if (len > s.len - off) {
            len = s.len - off;
        }
        const unsigned char *p = s.data + off;
        size_t left = len;
        for (;;) {
            unsigned char *frame = NULL;
            size_t frame_len = 0, used = 0;
            int r = net_frame_decode(&d, &frame, &frame_len, &used, p, left);
            assert_true(used <= left);
            p += used;
            left -= used;
            if (r == NET_OK) {
                assert_int_equal(left, 0);
                break;
            }
            assert_int_equal(r, NET_FRAME_READY);
            assert_true(got < n);
            assert_int_equal(frame_len, lens[got]);
            if (frame_len == 0) {
                assert_null(frame);
            }
            for (size_t j = 0; j < frame_len; j++) {
                assert_int_equal(frame[j], payload_byte(got, j));
            }
            free(frame);
            got++;
        }
        off += len;
    }
    assert_int_equal(got, n);
    assert_int_equal(net_frame_finish(&d), NET_OK);
    assert_int_equal(net_frame_decoder_allocated(&d), 0);
    net_frame_decoder_clear(&d);
    free(s.data);
}

static size_t chunk_all(void *arg, size_t k) {
    (void)arg;
    (void)k;
    return SIZE_MAX;
}

static size_t chunk_one(void *arg, size_t k) {
    (void)arg;
    (void)k;
    return 1;
}

static size_t chunk_random(void *arg, size_t k) {
    (void)k;
    return 1 + (size_t)(test_rng_u64(arg) % 700);
}

static const uint32_t mixed_lens[] = {1, 2, 3, 0, 255, 256, 0, 0, 1000, 4, 65535, 65536, 5};

static void test_exact_lengths_whole(void **state) {
    (void)state;
    decode_and_check(mixed_lens, sizeof(mixed_lens) / sizeof(mixed_lens[0]), 65536, chunk_all, NULL);
}

static void test_byte_by_byte(void **state) {
    (void)state;
    decode_and_check(mixed_lens, sizeof(mixed_lens) / sizeof(mixed_lens[0]), 65536, chunk_one, NULL);
}

static void test_random_chunks(void **state) {
    test_rng rng;
    (void)state;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        test_rng_init(&rng, seed);
        decode_and_check(mixed_lens, sizeof(mixed_lens) / sizeof(mixed_lens[0]), 65536, chunk_random, &rng);
    }
}

/* A frame of exactly the maximum is accepted; the buffer is allocated once the header is known. */
static void test_exact_maximum(void **state) {
    const uint32_t max = 1000;
    unsigned char hdr[4];
    net_frame_decoder d;
    unsigned char *frame = NULL;
    size_t frame_len = 0, used = 0;
    (void)state;

    decode_and_check(&max, 1, max, chunk_all, NULL);
    put_be32(hdr, max);
    assert_int_equal(net_frame_decoder_init(&d, max), NET_OK);
    assert_int_equal(net_frame_decode(&d, &frame, &frame_len, &used, hdr, 4), NET_OK);
    assert_int_equal(used, 4);
    assert_int_equal(net_frame_decoder_allocated(&d), max);
    assert_int_equal(net_frame_finish(&d), NET_E_TRUNCATED);
    net_frame_decoder_clear(&d);
    assert_int_equal(net_frame_decoder_allocated(&d), 0);
}

/* One byte over the maximum, and the largest header: rejected after the 4th header byte, with
 * nothing allocated and the error sticky. */
static void test_oversized_rejected_before_allocation(void **state) {
    const uint32_t bad[] = {1001, 0xffffffffu, NET_FRAME_MAX_LIMIT + 1};
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        unsigned char in[8] = {0};
        net_frame_decoder d;
        unsigned char *frame = NULL;
        size_t frame_len = 0, used = 0;

        put_be32(in, bad[i]);
        assert_int_equal(net_frame_decoder_init(&d, 1000), NET_OK);
        /* Three header bytes: nothing decided, nothing allocated. */
        assert_int_equal(net_frame_decode(&d, &frame, &frame_len, &used, in, 3), NET_OK);
        assert_int_equal(used, 3);
        assert_int_equal(net_frame_decoder_allocated(&d), 0);
        assert_int_equal(net_frame_decode(&d, &frame, &frame_len, &used, in + 3, 5), NET_E_FRAME_TOO_BIG);
        assert_int_equal(used, 1);
        assert_null(frame);
        assert_int_equal(net_frame_decoder_allocated(&d), 0);
        assert_int_equal(d.rejected_len, bad[i]);
        assert_int_equal(net_frame_decode(&d, &frame, &frame_len, &used, in + 4, 4), NET_E_FRAME_TOO_BIG);
        assert_int_equal(used, 0);
        assert_int_equal(net_frame_finish(&d), NET_E_FRAME_TOO_BIG);
        net_frame_decoder_clear(&d);
    }
}

static void test_truncated_at_eof(void **state) {
    const uint32_t lens[] = {10, 20};
    buf s = make_stream(lens, 2);
    (void)state;
    /* Every cut that is not a frame boundary (0, 14, 38) is a truncation. */
    for (size_t cut = 0; cut <= s.len; cut++) {
        net_frame_decoder d;
        const unsigned char *p = s.data;
        size_t left = cut;
        int r;
        assert_int_equal(net_frame_decoder_init(&d, 100), NET_OK);
        do {
            unsigned char *frame = NULL;
            size_t frame_len = 0, used = 0;
            r = net_frame_decode(&d, &frame, &frame_len, &used, p, left);
            p += used;
            left -= used;
            free(frame);
        } while (r == NET_FRAME_READY);
        assert_int_equal(r, NET_OK);
        assert_int_equal(net_frame_finish(&d), (cut == 0 || cut == 14 || cut == 38) ? NET_OK : NET_E_TRUNCATED);
        net_frame_decoder_clear(&d);
    }
    free(s.data);
}

/* Zero-length frames (heartbeats) are complete frames of length 0 that allocate nothing. */
static void test_zero_length_policy(void **state) {
    unsigned char in[12] = {0};
    net_frame_decoder d;
    const unsigned char *p = in;
    size_t left = sizeof(in), n = 0;
    (void)state;
    assert_int_equal(net_frame_decoder_init(&d, 16), NET_OK);
    while (left > 0) {
        unsigned char *frame = (unsigned char *)&n; /* must be overwritten with NULL */
        size_t frame_len = 99, used = 0;
        assert_int_equal(net_frame_decode(&d, &frame, &frame_len, &used, p, left), NET_FRAME_READY);
        assert_int_equal(used, 4);
        assert_null(frame);
        assert_int_equal(frame_len, 0);
        assert_int_equal(net_frame_decoder_allocated(&d), 0);
        p += used;
        left -= used;
        n++;
    }
    assert_int_equal(n, 3);
    assert_int_equal(net_frame_finish(&d), NET_OK);
}

static void test_init_limits(void **state) {
    net_frame_decoder d;
    (void)state;
    assert_int_equal(net_frame_decoder_init(&d, 0), NET_E_ARG);
    assert_int_equal(net_frame_decoder_init(&d, NET_FRAME_MAX_LIMIT + 1), NET_E_ARG);
    assert_int_equal(net_frame_decoder_init(&d, NET_FRAME_MAX_LIMIT), NET_OK);
}

static void test_put_header(void **state) {
    unsigned char h[4];
    (void)state;
    net_frame_put_header(h, 0x01020304u);
    assert_memory_equal(h, "\x01\x02\x03\x04", 4);
}

/* Backoff: d = initial * 2^attempt capped at max, delay = d/2 + random mod (d - d/2 + 1). */
static void test_backoff(void **state) {
    const net_backoff b = {100, 1000};
    const net_backoff defaults = {0, 0};
    (void)state;
    assert_int_equal(net_backoff_delay(&b, 0, 0), 50);
    assert_int_equal(net_backoff_delay(&b, 0, 50), 100);
    assert_int_equal(net_backoff_delay(&b, 0, 51), 50);
    assert_int_equal(net_backoff_delay(&b, 1, 0), 100);
    assert_int_equal(net_backoff_delay(&b, 2, 7), 207);
    assert_int_equal(net_backoff_delay(&b, 3, 0), 400);
    assert_int_equal(net_backoff_delay(&b, 4, 0), 500);  /* 1600 capped to 1000 */
    assert_int_equal(net_backoff_delay(&b, 4, 500), 1000);
    assert_int_equal(net_backoff_delay(&b, 4000, 0xffffffffu), 500 + 0xffffffffu % 501);
    assert_int_equal(net_backoff_delay(&defaults, 0, 0), 50);
    assert_int_equal(net_backoff_delay(&defaults, 30, 0), 15000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_lengths_whole),
        cmocka_unit_test(test_byte_by_byte),
        cmocka_unit_test(test_random_chunks),
        cmocka_unit_test(test_exact_maximum),
        cmocka_unit_test(test_oversized_rejected_before_allocation),
        cmocka_unit_test(test_truncated_at_eof),
        cmocka_unit_test(test_zero_length_policy),
        cmocka_unit_test(test_init_limits),
        cmocka_unit_test(test_put_header),
        cmocka_unit_test(test_backoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
