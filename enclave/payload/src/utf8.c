#include "utf8.h"

size_t payload__utf8_seq(uint32_t *cp, const uint8_t *s, size_t avail) {
    uint8_t c = s[0], lo = 0x80, hi = 0xbf;
    size_t need, i;
    uint32_t v;

    if (c < 0x80) {
        need = 0;
        v = c;
    } else if (c >= 0xc2 && c <= 0xdf) {
        need = 1;
        v = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        v = c & 0x0f;
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        v = c & 0x07;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
    } else {
        return 0;
    }
    if (avail < need + 1) {
        return 0;
    }
    for (i = 1; i <= need; i++) {
        uint8_t b = s[i];
        if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xbf)) {
            return 0;
        }
        v = (v << 6) | (b & 0x3f);
    }
    if (cp != NULL) {
        *cp = v;
    }
    return need + 1;
}
