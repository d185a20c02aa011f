/* Internal UTF-8 helpers shared by the JSON tokenizer and the message renderers. */
#ifndef PAYLOAD_SRC_UTF8_H
#define PAYLOAD_SRC_UTF8_H

#include <stddef.h>
#include <stdint.h>

/** Length (1-4) of the well-formed UTF-8 sequence at s (avail > 0 bytes), or 0 if ill-formed
 *  (Unicode 15, table 3-7: no overlongs, no surrogates, nothing above U+10FFFF). If cp is not
 *  NULL it receives the code point. */
size_t payload__utf8_seq(uint32_t *cp, const uint8_t *s, size_t avail);

#endif
