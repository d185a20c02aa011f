#include "daemon_log.h"

#include <stdio.h>
#include <time.h>

#include "net.h"

static const char *g_program = "mpc";
static int g_verbose;

static void sink(net_log_level level, const char *line, void *data) {
    static const char *const names[] = {"debug", "info", "warn"};
    struct timespec ts;
    struct tm tm;
    char when[32];
    (void)data;
    if (level == NET_LOG_DEBUG && !g_verbose) {
        return;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ldZ %s %s: %s\n", when, ts.tv_nsec / 1000000L, g_program, names[level], line);
    fflush(stderr);
}

void daemon_log_init(const char *program, int verbose) {
    g_program = program;
    g_verbose = verbose;
    net_set_log(sink, NULL);
}
