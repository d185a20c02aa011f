/* ERC-20 calldata classifier and its description. The first byte picks the chain (registry hit or
 * miss); the rest is calldata for the registered token. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload/erc20.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const payload_asset usdc = {1, {0xa0, 0xb8, 0x69, 0x91, 0xc6, 0x21, 0x8b, 0x36, 0xc1, 0xd1,
                                           0x9d, 0x4a, 0x2e, 0x9e, 0xb0, 0xce, 0x36, 0x06, 0xeb, 0x48},
                                       "USDC", 6};
    static const payload_asset_registry reg = {&usdc, 1};
    payload_erc20_call call;
    payload_err err;
    char desc[PAYLOAD_ERC20_DESC_MAX];

    if (size < 1) {
        return 0;
    }
    if (payload_erc20_decode(&err, &call, &reg, data[0] & 1 ? 1 : 5, usdc.contract, data + 1, size - 1) !=
        PAYLOAD_OK) {
        if (err.msg[0] == '\0') {
            abort();
        }
        return 0;
    }
    if ((call.kind == PAYLOAD_CALL_NONE) != (size == 1)) {
        abort();
    }
    if (payload_erc20_describe(desc, sizeof(desc), &call, usdc.contract) != PAYLOAD_OK ||
        strlen(desc) >= sizeof(desc)) {
        abort();
    }
    return 0;
}
