# Shared by the rmq image's entry scripts (mqnamesrv, mqbroker); sourced, run by busybox sh.
#
# What it does before starting one of our binaries:
#   * JAVA_OPT_EXT / JAVA_OPT / JAVA_HOME are accepted and ignored (there is no JVM);
#   * the -c/--configFile argument must name a readable regular file, else a clear error
#     and exit status 2 (never a hang);
#   * the broker's store directories must be writable by the container user, else exit 3;
#   * stdout+stderr go to the container output and are appended to
#     $HOME/logs/rocketmqlogs/<name>.log (the official image's log location);
#   * SIGTERM/SIGINT/SIGHUP are forwarded to the server, and its exit status is ours.

RMQ_LIBEXEC=${RMQ_LIBEXEC:-/usr/local/lib/rmq}
: "${ROCKETMQ_HOME:=/home/rocketmq/rocketmq-4.9.7}"
: "${HOME:=/home/rocketmq}"
export ROCKETMQ_HOME HOME

rmq_err() {
    echo "rmq-image: ERROR: $*" >&2
}

rmq_note() {
    echo "rmq-image: $*" >&2
}

# rmq_config_file ARGS...: prints the value of -c/--configFile (last one wins), if any.
rmq_config_file() {
    _cf=
    while [ $# -gt 0 ]; do
        case "$1" in
            -c|--configFile)
                if [ $# -lt 2 ]; then
                    rmq_err "option $1 needs a file argument"
                    exit 2
                fi
                _cf=$2
                shift
                ;;
            --configFile=*) _cf=${1#--configFile=} ;;
            -c?*) _cf=${1#-c} ;;
        esac
        shift
    done
    printf '%s' "$_cf"
}

# rmq_wants_run ARGS...: false (1) when the command line only prints something (-h/-p/-m).
rmq_wants_run() {
    for _a in "$@"; do
        case "$_a" in
            -h|--help|-p|--printConfigItem|-m|--printImportantConfig) return 1 ;;
        esac
    done
    return 0
}

# rmq_check_conf FILE: the config file must exist, be a regular file and be readable.
rmq_check_conf() {
    _f=$1
    [ -n "$_f" ] || return 0
    if [ ! -e "$_f" ]; then
        rmq_err "config file '$_f' does not exist (inside the container; mount it with -v /host/path:$_f:ro)"
        exit 2
    fi
    if [ -d "$_f" ]; then
        rmq_err "config file '$_f' is a directory, not a properties file"
        exit 2
    fi
    if [ ! -r "$_f" ] || ! cat "$_f" >/dev/null 2>&1; then
        rmq_err "config file '$_f' is not readable by uid $(id -u) gid $(id -g) (make it world-readable or owned by uid 3000)"
        exit 2
    fi
}

# rmq_prop FILE KEY: value of a java.util.Properties key (last occurrence; `k=v`, `k = v`, `k: v`).
rmq_prop() {
    [ -n "$1" ] && [ -r "$1" ] || return 0
    sed -n "s/^[[:space:]]*$2[[:space:]]*[=:][[:space:]]*//p" "$1" | tr -d '\r' | tail -n 1 |
        sed 's/[[:space:]]*$//'
}

# rmq_check_writable DIR WHAT: create DIR if needed and prove we can write into it.
rmq_check_writable() {
    _d=$1
    if ! mkdir -p "$_d" 2>/dev/null; then
        rmq_err "$2 '$_d' cannot be created by uid $(id -u) gid $(id -g); mount a volume there that uid 3000 can write (e.g. chown -R 3000:3000 the host directory)"
        exit 3
    fi
    _probe="$_d/.rmq-write-test.$$"
    if ! (: > "$_probe") 2>/dev/null; then
        rmq_err "$2 '$_d' is not writable by uid $(id -u) gid $(id -g); mount a volume there that uid 3000 can write (e.g. chown -R 3000:3000 the host directory), or run with --user matching its owner"
        exit 3
    fi
    rm -f "$_probe"
}

# rmq_run NAME BINARY ARGS...: run BINARY with ARGS, output to the console and to the log file.
rmq_run() {
    _name=$1
    _bin=$2
    shift 2
    if [ -n "${JAVA_OPT_EXT:-}" ]; then
        rmq_note "JAVA_OPT_EXT is ignored (rmq has no JVM): $JAVA_OPT_EXT"
    fi
    if [ ! -x "$_bin" ]; then
        rmq_err "server binary $_bin is missing from the image"
        exit 127
    fi
    _logdir="$HOME/logs/rocketmqlogs"
    _log=
    if mkdir -p "$_logdir" 2>/dev/null && (: >> "$_logdir/$_name.log") 2>/dev/null; then
        _log="$_logdir/$_name.log"
    else
        rmq_note "warning: $_logdir is not writable by uid $(id -u); logging to the console only"
    fi
    if [ -z "$_log" ] || [ "${RMQ_LOG_FILE:-1}" = 0 ]; then
        exec "$_bin" "$@"
    fi
    _fifo="${TMPDIR:-/tmp}/rmq-$_name-$$.out"
    rm -f "$_fifo"
    if ! mkfifo "$_fifo" 2>/dev/null; then
        rmq_note "warning: cannot create $_fifo; logging to the console only"
        exec "$_bin" "$@"
    fi
    tee -a "$_log" < "$_fifo" &
    _teepid=$!
    "$_bin" "$@" > "$_fifo" 2>&1 &
    _pid=$!
    trap 'kill -TERM "$_pid" 2>/dev/null' TERM
    trap 'kill -INT "$_pid" 2>/dev/null' INT
    trap 'kill -HUP "$_pid" 2>/dev/null' HUP
    while :; do
        wait "$_pid"
        _status=$?
        # `wait` also returns when a trapped signal arrives; the server may still be running
        kill -0 "$_pid" 2>/dev/null || break
    done
    wait "$_teepid" 2>/dev/null
    rm -f "$_fifo"
    exit "$_status"
}
