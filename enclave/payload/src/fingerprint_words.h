/* The fingerprint word table (generated into fingerprint_words.c by gen_fingerprint_words.py). */
#ifndef PAYLOAD_FINGERPRINT_WORDS_H
#define PAYLOAD_FINGERPRINT_WORDS_H

#include "payload/fingerprint.h"

extern const char payload_fingerprint_words[PAYLOAD_FINGERPRINT_WORD_COUNT][PAYLOAD_FINGERPRINT_WORD_SIZE];

#endif
