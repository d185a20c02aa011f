/* Runner of the constant-time test: see ctime.h for what it checks and how to add an area. */
#include <stdio.h>
#include <string.h>

#include "ctime.h"

typedef struct {
    const char *name;
    const ctime_section *sections;
} ctime_area;

static const ctime_area areas[] = {
    {"scalar", ctime_scalar_sections},
    {"point", ctime_point_sections},
    {"hash", ctime_hash_sections},
    {"ot", ctime_ot_sections},
    {"base_ot", ctime_base_ot_sections},
    {"sign", ctime_sign_sections},
};

#define AREA_COUNT (sizeof(areas) / sizeof(areas[0]))

void ctime_random_scalar(ctime_env *env, mpc_scalar *out)
{
    unsigned char b[32];

    test_rng_bytes(&env->input_rng, b, sizeof(b));
    mpc_scalar_reduce32(out, b);
}

/* filter is NULL (everything), "area" or "area/section". */
static int selected(const char *filter, const char *area, const char *section)
{
    size_t alen = strlen(area);

    if (filter == NULL)
        return 1;
    if (strncmp(filter, area, alen) != 0)
        return 0;
    return filter[alen] == '\0' || (filter[alen] == '/' && strcmp(filter + alen + 1, section) == 0);
}

int main(int argc, char **argv)
{
    ctime_env env;
    const char *filter = NULL;
    int ran = 0, r;

    if (!CHECKMEM_RUNNING()) {
        fprintf(stderr, "ctime_tests only means something under valgrind:\n"
                        "  valgrind --error-exitcode=42 --track-origins=yes %s\n", argv[0]);
        return 1;
    }
    test_rng_init(&env.ctx_rng, 0x63746d65);
    test_rng_init(&env.input_rng, 0x7365637265);
    env.ctx = test_context(&env.ctx_rng);

    if (argc == 2 && strcmp(argv[1], "--leak-selftest") == 0) {
        r = ctime_leak_selftest(&env);
        mpc_context_destroy(env.ctx);
        return r;
    }
    if (argc == 2)
        filter = argv[1];
    else if (argc > 2) {
        fprintf(stderr, "usage: %s [--leak-selftest | AREA | AREA/SECTION]\n", argv[0]);
        mpc_context_destroy(env.ctx);
        return 2;
    }
    for (size_t a = 0; a < AREA_COUNT; a++) {
        for (const ctime_section *s = areas[a].sections; s->name != NULL; s++) {
            if (!selected(filter, areas[a].name, s->name))
                continue;
            printf("ctime: %s/%s\n", areas[a].name, s->name);
            fflush(stdout);
            s->run(&env);
            ran++;
        }
    }
    mpc_context_destroy(env.ctx);
    if (ran == 0) {
        fprintf(stderr, "ctime_tests: no section matches '%s'\n", filter);
        return 2;
    }
    printf("ctime: %d sections run\n", ran);
    return 0;
}
