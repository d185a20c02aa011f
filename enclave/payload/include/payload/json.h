/*
 * Strict, bounded JSON (RFC 8259) tokenizer for typed-data documents (eth_signTypedData_v4).
 *
 * The parser writes into a caller-provided token array and never allocates. It refuses: anything
 * outside the RFC grammar (comments, trailing commas, single quotes, NaN, leading zeros, bare
 * control characters), invalid UTF-8 (overlong forms, surrogates, > U+10FFFF) and unpaired
 * surrogate escapes, duplicate object keys, escape sequences inside object keys (keys are plain
 * identifiers in every document we accept, and this keeps duplicate detection a byte compare),
 * nesting deeper than max_depth, more tokens than the array holds, documents larger than
 * PAYLOAD_JSON_MAX_INPUT, and anything but whitespace after the top-level value.
 */
#ifndef PAYLOAD_JSON_H
#define PAYLOAD_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "payload/payload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest document accepted (bytes). */
#define PAYLOAD_JSON_MAX_INPUT (1u << 20)
/* Deepest nesting accepted by any caller (each array/object is one level). */
#define PAYLOAD_JSON_MAX_DEPTH 64u

typedef enum {
    PAYLOAD_JSON_NULL = 1,
    PAYLOAD_JSON_FALSE,
    PAYLOAD_JSON_TRUE,
    PAYLOAD_JSON_NUMBER,
    PAYLOAD_JSON_STRING,
    PAYLOAD_JSON_ARRAY,
    PAYLOAD_JSON_OBJECT
} payload_json_type;

/* One value. Objects are followed by their members as key, value token pairs in document order;
 * arrays by their elements. `next` skips the whole subtree. */
typedef struct {
    uint32_t type;   /* payload_json_type */
    uint32_t start;  /* offset of the value; for strings, of the first byte after the quote */
    uint32_t len;    /* byte length; for strings, of the raw (still escaped) contents */
    uint32_t count;  /* array: elements; object: members; otherwise 0 */
    uint32_t next;   /* index of the first token after this value's subtree */
    uint32_t has_escape; /* strings only: 1 if the raw contents contain a backslash */
} payload_json_tok;

typedef struct {
    const char *doc;
    size_t doc_len;
    payload_json_tok *toks;
    size_t n_toks;
} payload_json;

/** Parse doc into toks (max_toks entries); on success out describes the document, whose root is
 *  toks[0]. max_depth must be between 1 and PAYLOAD_JSON_MAX_DEPTH.
 *  Returns: PAYLOAD_OK, PAYLOAD_E_ENCODING, PAYLOAD_E_TRUNCATED, PAYLOAD_E_TRAILING,
 *  PAYLOAD_E_LIMIT or PAYLOAD_E_ARG. */
int payload_json_parse(payload_err *err, payload_json *out, payload_json_tok *toks, size_t max_toks,
                       const char *doc, size_t doc_len, unsigned max_depth) PAYLOAD_WARN_UNUSED_RESULT;

/** Index of the value of member `key` in object token obj, or 0 if absent or obj is no object. */
size_t payload_json_get(const payload_json *js, size_t obj, const char *key);

/** Index of element i of array token arr, or 0 if out of range or arr is no array. */
size_t payload_json_at(const payload_json *js, size_t arr, size_t i);

/** Index of the key of member i of object token obj (its value is at payload_json_skip(js, key)),
 *  or 0 if out of range. */
size_t payload_json_member_key(const payload_json *js, size_t obj, size_t i);

/** Index of the token after the subtree of token i. */
size_t payload_json_skip(const payload_json *js, size_t i);

/** 1 if string token i equals the NUL-terminated s after unescaping, else 0. */
int payload_json_streq(const payload_json *js, size_t i, const char *s);

/** Unescape string token i into out (out_size bytes, a NUL is appended; embedded NULs are kept
 *  and counted in *out_len). Returns: PAYLOAD_OK, PAYLOAD_E_ENCODING if i is no string,
 *  PAYLOAD_E_OUTPUT if out is too small. */
int payload_json_string(payload_err *err, char *out, size_t out_size, size_t *out_len,
                        const payload_json *js, size_t i) PAYLOAD_WARN_UNUSED_RESULT;

#ifdef __cplusplus
}
#endif

#endif
