/* The daemons' INI configuration parser (daemon/config) on arbitrary bytes: both schemas, from
 * memory (libinih's stream interface with the parser's own memory reader, the same path the file
 * loader takes), file checks off so that no input reaches the file system. The parser must never
 * crash, and must either accept or produce a non-empty error message that names the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static cfg_signer signer;
    static cfg_coordinator coordinator;
    char err[CFG_ERR_MAX];
    int r = cfg_signer_parse(&signer, err, sizeof err, "fuzz.ini", (const char *)data, size, CFG_SKIP_FILE_CHECKS);
    if (r != CFG_OK && strncmp(err, "fuzz.ini", 8) != 0) {
        abort();
    }
    r = cfg_coordinator_parse(&coordinator, err, sizeof err, "fuzz.ini", (const char *)data, size,
                              CFG_SKIP_FILE_CHECKS);
    if (r != CFG_OK && strncmp(err, "fuzz.ini", 8) != 0) {
        abort();
    }
    if (r == CFG_OK && (coordinator.n_signers == 0 || coordinator.n_requesters == 0)) {
        abort();
    }
    return 0;
}
