/* mpc-coordinatord: see coord.h. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "config.h"
#include "coord.h"
#include "daemon_log.h"
#include "net.h"

static const char usage[] =
    "usage: mpc-coordinatord --config FILE [--verbose]\n"
    "Runs the coordinator described by FILE (INI, see README_daemons.md) until SIGINT or SIGTERM.\n"
    "exit status: 0 clean stop, 1 usage, 2 configuration error, 3 start-up failure\n";

static coord *g_coord;
static uv_signal_t g_signals[2];

static void on_signal(uv_signal_t *s, int signum) {
    (void)s;
    net_log(NET_LOG_INFO, "signal %d: stopping", signum);
    coord_stop(g_coord);
    for (int i = 0; i < 2; i++) {
        if (!uv_is_closing((uv_handle_t *)&g_signals[i])) {
            uv_close((uv_handle_t *)&g_signals[i], NULL);
        }
    }
}

static void close_walk(uv_handle_t *h, void *arg) {
    (void)arg;
    if (!uv_is_closing(h)) {
        uv_close(h, NULL);
    }
}

int main(int argc, char **argv) {
    static cfg_coordinator cfg;
    const char *path = NULL;
    char err[CFG_ERR_MAX];
    uv_loop_t loop;
    int verbose = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else if (strcmp(argv[i], "--verbose") == 0) {
            verbose = 1;
        } else if (strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        } else {
            fputs(usage, stderr);
            return 1;
        }
    }
    if (path == NULL) {
        fputs(usage, stderr);
        return 1;
    }
    daemon_log_init("mpc-coordinatord", verbose);
    if (cfg_coordinator_load(&cfg, err, sizeof(err), path, 0) != CFG_OK) {
        fprintf(stderr, "mpc-coordinatord: %s\n", err);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    uv_loop_init(&loop);
    if (coord_start(&g_coord, &loop, &cfg) != 0) {
        uv_walk(&loop, close_walk, NULL);
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
        return 3;
    }
    uv_signal_init(&loop, &g_signals[0]);
    uv_signal_init(&loop, &g_signals[1]);
    uv_signal_start(&g_signals[0], on_signal, SIGINT);
    uv_signal_start(&g_signals[1], on_signal, SIGTERM);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_walk(&loop, close_walk, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    coord_free(g_coord);
    if (uv_loop_close(&loop) != 0) {
        net_log(NET_LOG_WARN, "event loop closed with handles left");
    }
    net_log(NET_LOG_INFO, "stopped");
    return 0;
}
