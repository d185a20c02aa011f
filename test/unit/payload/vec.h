/* Reading the official JSON vector files (MPC_VECTORS_DIR) at run time for the payload tests.
 * The files are parsed with the enclave's own strict JSON tokenizer: it only reads the expected
 * values, it never produces them. Every helper fails the running cmocka test on error. */
#ifndef TEST_PAYLOAD_VEC_H
#define TEST_PAYLOAD_VEC_H

#include <stddef.h>
#include <stdint.h>

#include "payload/json.h"

typedef struct {
    char *text;
    payload_json js;
    payload_json_tok *toks;
} vec_file;

/* Load and parse MPC_VECTORS_DIR/<rel>. */
void vec_load(vec_file *f, const char *rel);
/* Load and parse a file by path (the generated data next to the tests: PAYLOAD_TESTDATA_DIR). */
void vec_load_path(vec_file *f, const char *path);
void vec_free(vec_file *f);

/* Member `key` of object obj; fails the test if absent. */
size_t vec_get(const vec_file *f, size_t obj, const char *key);
/* Unescaped string value of token i (malloc'd, NUL-terminated; *len may be NULL). */
char *vec_str(const vec_file *f, size_t i, size_t *len);
/* Hex string token ("0x" prefix optional) decoded into a malloc'd buffer. */
uint8_t *vec_hex(const vec_file *f, size_t i, size_t *len);
/* Hex string token decoded into exactly n bytes. */
void vec_hex_n(const vec_file *f, size_t i, uint8_t *out, size_t n);
/* Hex text (with optional 0x) into a malloc'd buffer. */
uint8_t *hex_dup(const char *hex, size_t *len);
/* A JSON number or a decimal / 0x-hex string as a 32-byte big-endian integer. */
void vec_uint256(const vec_file *f, size_t i, uint8_t out[32]);
/* Decimal digits as an out_len-byte big-endian integer (fails on overflow). */
void dec_to_be(const char *dec, size_t len, uint8_t *out, size_t out_len);
/* Decimal digits as a 32-byte big-endian integer (fails on overflow). */
void dec_to_uint256(const char *dec, size_t len, uint8_t out[32]);

#endif
