/* Big-endian field helpers shared by the enclave's fixed-layout formats (internal header). */
#ifndef ENC_BYTES_H
#define ENC_BYTES_H

#include <stdint.h>

static inline void enc_put_be16(unsigned char *p, uint16_t v) {
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static inline void enc_put_be32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static inline void enc_put_be64(unsigned char *p, uint64_t v) {
    enc_put_be32(p, (uint32_t)(v >> 32));
    enc_put_be32(p + 4, (uint32_t)v);
}

static inline uint16_t enc_get_be16(const unsigned char *p) {
    return (uint16_t)(((unsigned)p[0] << 8) | p[1]);
}

static inline uint32_t enc_get_be32(const unsigned char *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t enc_get_be64(const unsigned char *p) {
    return ((uint64_t)enc_get_be32(p) << 32) | enc_get_be32(p + 4);
}

#endif
