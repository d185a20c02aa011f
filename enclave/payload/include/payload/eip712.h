/*
 * EIP-712 typed structured data: encodeType, encodeData, hashStruct, the domain separator and the
 * digest keccak256(0x19 0x01 || domainSeparator || hashStruct(message)).
 *
 * Input is an eth_signTypedData_v4 JSON document {types, primaryType, domain, message} (exactly
 * these members), tokenized by the strict parser of payload/json.h. Refused, with the offending
 * type or field named: unknown or malformed type names (elementary types must be uintN/intN with
 * N = 8..256 step 8, bytes1..bytes32, bytes, string, bool, address), duplicate field names, types
 * not reachable from primaryType or EIP712Domain, an EIP712Domain whose fields are not an ordered
 * subset of (string name, string version, uint256 chainId, address verifyingContract,
 * bytes32 salt), primaryType EIP712Domain, values of the wrong JSON type, integers out of range
 * or given as JSON numbers above 2^53 - 1 (JavaScript clients would round them), missing or extra
 * struct members, fixed-size arrays of the wrong length, bytesN of the wrong length, mixed-case
 * addresses with a bad EIP-55 checksum, and anything beyond the bounds below.
 */
#ifndef PAYLOAD_EIP712_H
#define PAYLOAD_EIP712_H

#include <stddef.h>
#include <stdint.h>

#include "payload/json.h"
#include "payload/payload.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PAYLOAD_EIP712_MAX_TYPES 16u      /* struct types, EIP712Domain included */
#define PAYLOAD_EIP712_MAX_FIELDS 24u     /* fields per struct type */
#define PAYLOAD_EIP712_NAME_MAX 64u       /* type and field name bytes, NUL included */
#define PAYLOAD_EIP712_TYPE_MAX 96u       /* field type string ("Leg[2][]"), NUL included */
#define PAYLOAD_EIP712_MAX_DEPTH 8u       /* nesting of structs and arrays inside a value */
#define PAYLOAD_EIP712_MAX_ARRAY 1024u    /* elements in any one array */
#define PAYLOAD_EIP712_MAX_STRING 4096u   /* bytes of any one string value after unescaping */
#define PAYLOAD_EIP712_MAX_DOC (64u * 1024u) /* JSON document bytes */
#define PAYLOAD_EIP712_MAX_TOKENS 8192u   /* JSON values in the document */
#define PAYLOAD_EIP712_ENCODE_TYPE_MAX 4096u /* longest encodeType string, NUL included */

typedef struct {
    char name[PAYLOAD_EIP712_NAME_MAX];
    char type[PAYLOAD_EIP712_TYPE_MAX];
} payload_eip712_field;

typedef struct {
    char name[PAYLOAD_EIP712_NAME_MAX];
    uint32_t n_fields;
    payload_eip712_field fields[PAYLOAD_EIP712_MAX_FIELDS];
    uint8_t type_hash[32];
} payload_eip712_struct;

typedef struct {
    uint32_t n_types;
    payload_eip712_struct types[PAYLOAD_EIP712_MAX_TYPES];
} payload_eip712_types;

/* Domain fields present (bit set) in payload_eip712_doc.domain_fields. */
#define PAYLOAD_EIP712_DOMAIN_NAME 0x01u
#define PAYLOAD_EIP712_DOMAIN_VERSION 0x02u
#define PAYLOAD_EIP712_DOMAIN_CHAIN_ID 0x04u
#define PAYLOAD_EIP712_DOMAIN_VERIFYING_CONTRACT 0x08u
#define PAYLOAD_EIP712_DOMAIN_SALT 0x10u

typedef struct {
    payload_eip712_types types;
    char primary_type[PAYLOAD_EIP712_NAME_MAX];
    uint32_t domain_fields;                  /* PAYLOAD_EIP712_DOMAIN_* */
    char domain_name[PAYLOAD_EIP712_NAME_MAX];     /* valid if the bit is set */
    char domain_version[PAYLOAD_EIP712_NAME_MAX];
    uint8_t chain_id[32];                    /* big-endian */
    uint8_t verifying_contract[20];
    uint8_t salt[32];
    uint8_t domain_separator[32];
    uint8_t message_hash[32];                /* hashStruct(message) */
    uint8_t digest[32];                      /* what gets signed */
    payload_json js;                         /* the tokenized document (caller's buffers) */
    size_t domain_tok;                       /* token index of the domain object */
    size_t message_tok;                      /* token index of the message object */
} payload_eip712_doc;

/** Parse and hash an eth_signTypedData_v4 document. toks (max_toks entries, at most
 *  PAYLOAD_EIP712_MAX_TOKENS are used) and json must outlive doc. */
int payload_eip712_parse_json(payload_err *err, payload_eip712_doc *doc, payload_json_tok *toks, size_t max_toks,
                              const char *json, size_t json_len) PAYLOAD_WARN_UNUSED_RESULT;

/** Index of struct type `name` in types, or -1. */
int payload_eip712_find_type(const payload_eip712_types *types, const char *name);

/** encodeType(type_name) as a NUL-terminated string. */
int payload_eip712_encode_type(payload_err *err, char *out, size_t out_size, size_t *out_len,
                               const payload_eip712_types *types, const char *type_name) PAYLOAD_WARN_UNUSED_RESULT;

/** encodeData: typeHash || one 32-byte word per field (32 * (n_fields + 1) bytes) for the JSON
 *  object at token value_tok. */
int payload_eip712_encode_data(payload_err *err, uint8_t *out, size_t out_size, size_t *out_len,
                               const payload_eip712_types *types, const char *type_name, const payload_json *js,
                               size_t value_tok) PAYLOAD_WARN_UNUSED_RESULT;

/** hashStruct = keccak256(encodeData). */
int payload_eip712_hash_struct(payload_err *err, uint8_t out[32], const payload_eip712_types *types,
                               const char *type_name, const payload_json *js,
                               size_t value_tok) PAYLOAD_WARN_UNUSED_RESULT;

/* The EIP-712 signing digest keccak256(0x19 0x01 || domainSeparator || hashStruct(message));
 * also Safe's safeTxHash. */
void payload_eip712_digest(uint8_t out[32], const uint8_t domain_separator[32], const uint8_t message_hash[32]);

#ifdef __cplusplus
}
#endif

#endif
