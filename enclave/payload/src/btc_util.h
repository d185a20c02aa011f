/*
 * Internal helpers shared by the Bitcoin decoders: bounded byte reader and writer, Bitcoin's
 * compact-size integers, and the hashes (SHA-256, double SHA-256, HASH160) through OpenSSL.
 * Not part of the public payload API.
 */
#ifndef PAYLOAD_BTC_UTIL_H
#define PAYLOAD_BTC_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "payload/btc_tx.h"
#include "payload/payload.h"

/* Reads from a fixed buffer; every read fails cleanly (PAYLOAD_E_TRUNCATED) when short. */
typedef struct {
    const uint8_t *buf;
    size_t len;
    size_t pos;
} payload_btc_reader;

void payload_btc_reader_init(payload_btc_reader *r, const uint8_t *buf, size_t len);
size_t payload_btc_reader_left(const payload_btc_reader *r);
int payload_btc_read_bytes(payload_err *err, const uint8_t **out, payload_btc_reader *r, size_t n, const char *what);
int payload_btc_read_u8(payload_err *err, uint8_t *out, payload_btc_reader *r, const char *what);
int payload_btc_read_u32le(payload_err *err, uint32_t *out, payload_btc_reader *r, const char *what);
int payload_btc_read_u64le(payload_err *err, uint64_t *out, payload_btc_reader *r, const char *what);
/* A compact size in its shortest encoding only (Bitcoin Core also refuses non-minimal ones). */
int payload_btc_read_compact(payload_err *err, uint64_t *out, payload_btc_reader *r, const char *what);

/* A compact-size length followed by that many bytes (borrowed from the reader's buffer). */
int payload_btc_read_var_bytes(payload_err *err, payload_btc_bytes *out, payload_btc_reader *r, const char *what);

/* Streaming double-SHA-256 over EVP. Failures of OpenSSL are sticky and reported by _final. */
typedef struct {
    EVP_MD_CTX *md;
    int failed;
} payload_btc_hasher;

int payload_btc_hasher_init(payload_err *err, payload_btc_hasher *h);
void payload_btc_hasher_update(payload_btc_hasher *h, const void *data, size_t len);
/* out32 = SHA-256(SHA-256(everything absorbed)); frees the context in every case. */
int payload_btc_hasher_final_sha256d(payload_err *err, uint8_t out32[32], payload_btc_hasher *h);
void payload_btc_hasher_free(payload_btc_hasher *h);

/* Writes either into a buffer (buf != NULL, bounded by cap) or into a hasher (hash != NULL).
 * Errors are sticky: serializers write unconditionally and check payload_btc_writer_status once. */
typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t len;
    payload_btc_hasher *hash;
    int overflow;
} payload_btc_writer;

void payload_btc_writer_init_buf(payload_btc_writer *w, uint8_t *buf, size_t cap);
void payload_btc_writer_init_hash(payload_btc_writer *w, payload_btc_hasher *h);
void payload_btc_write_bytes(payload_btc_writer *w, const void *data, size_t n);
void payload_btc_write_u8(payload_btc_writer *w, uint8_t v);
void payload_btc_write_u32le(payload_btc_writer *w, uint32_t v);
void payload_btc_write_u64le(payload_btc_writer *w, uint64_t v);
void payload_btc_write_compact(payload_btc_writer *w, uint64_t v);
/* PAYLOAD_OK, or PAYLOAD_E_OUTPUT naming what did not fit. */
int payload_btc_writer_status(payload_err *err, const payload_btc_writer *w, const char *what);

int payload_btc_sha256(payload_err *err, uint8_t out32[32], const uint8_t *in, size_t len);
int payload_btc_sha256d(payload_err *err, uint8_t out32[32], const uint8_t *in, size_t len);
int payload_btc_hash160(payload_err *err, uint8_t out20[20], const uint8_t *in, size_t len);
int payload_btc_ripemd160(payload_err *err, uint8_t out20[20], const uint8_t *in, size_t len);

#endif
