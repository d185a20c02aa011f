/* payload_summary_build on every payload type, both renderings of whatever it accepts, and the
 * asset-registry parser. Byte 0 selects the payload type (and a configured chain or not); the rest
 * is the payload. The work areas are static: they are far too large for the stack. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload/summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static payload_summary g_sum;
static payload_summary_work g_work;
static char g_out[PAYLOAD_SUMMARY_RENDER_MAX];
static payload_asset g_assets[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const payload_asset token = { 1, { 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0,
                                              0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0 },
                                         "TUSD6", 6 };
    static const payload_safe_target ms = { 1, { 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40,
                                                 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40 } };
    payload_asset_registry reg = { &token, 1 };
    payload_summary_ctx ctx;
    payload_err err;
    size_t n, len;

    if (size == 0) {
        return 0;
    }
    memset(&ctx, 0, sizeof ctx);
    ctx.chain_id = (data[0] & 0x80) ? 1 : 0;
    ctx.registry = &reg;
    ctx.multisend_call_only = &ms;
    ctx.n_multisend_call_only = 1;
    if (payload_summary_build(&err, &g_sum, &g_work, &ctx, (payload_type)(1 + (data[0] & 0x7f) % 6), data + 1,
                              size - 1) == PAYLOAD_OK) {
        if (payload_summary_render_text(&err, g_out, sizeof g_out, &len, &g_sum) != PAYLOAD_OK ||
            payload_summary_render_json(&err, g_out, sizeof g_out, &len, &g_sum) != PAYLOAD_OK) {
            abort();
        }
    }
    (void)payload_summary_registry_parse(&err, g_assets, 64, &n, (const char *)data + 1, size - 1);
    return 0;
}
