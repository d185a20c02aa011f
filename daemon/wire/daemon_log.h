/*
 * The daemons' log sink: one line per event on stderr, "<UTC time> <program> <level>: <text>",
 * installed as daemon/net's sink so the transport and the daemon share one stream. Debug lines
 * are shown only when verbose.
 */
#ifndef MPC_DAEMON_LOG_H
#define MPC_DAEMON_LOG_H

/* Installs the sink; program must stay valid for the process lifetime. */
void daemon_log_init(const char *program, int verbose);

#endif
