#!/usr/bin/env bats
# qpid-config: usage and connection errors without a broker, then the commands against a live
# qpidd started on a free loopback port with a temporary data directory.
#
# The binaries default to the build tree; override with QPID_CONFIG=... and QPIDD=...

QPID_CONFIG=${QPID_CONFIG:-$BATS_TEST_DIRNAME/../../src/tools/qpid-config}
QPIDD=${QPIDD:-$BATS_TEST_DIRNAME/../../src/qpidd/qpidd}
PYTHON=/usr/bin/python3

setup() {
  BROKER_PID=
  HELPER_PID=
  WORK_DIR=$(mktemp -d "${BATS_TMPDIR:-/tmp}/qpid-config-test.XXXXXX")
}

teardown() {
  stop_pid "$BROKER_PID"
  stop_pid "$HELPER_PID"
  rm -rf "$WORK_DIR"
}

# Stops a process this test started, by PID: TERM, then KILL after 5 s.
stop_pid() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

# Starts qpidd on a free port; sets BROKER (127.0.0.1:PORT) and PORT.
start_broker() {
  "$QPIDD" --port 0 --data-dir "$WORK_DIR/data" --log-to-stderr no \
    >"$WORK_DIR/qpidd.out" 2>"$WORK_DIR/qpidd.err" &
  BROKER_PID=$!
  for _ in $(seq 100); do
    PORT=$(head -n1 "$WORK_DIR/qpidd.out" 2>/dev/null)
    if [ -n "$PORT" ]; then
      BROKER=127.0.0.1:$PORT
      return 0
    fi
    kill -0 "$BROKER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "qpidd did not start:" >&2
  cat "$WORK_DIR/qpidd.err" >&2
  return 1
}

# A loopback port nothing listens on (bound, then released).
free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Sends COUNT messages to ADDRESS with the Proton Python client.
send_messages() {
  "$PYTHON" - "$BROKER" "$1" "$2" <<'EOF'
import sys
from proton import Message
from proton.utils import BlockingConnection
connection = BlockingConnection(sys.argv[1], timeout=10)
sender = connection.create_sender(sys.argv[2])
for i in range(int(sys.argv[3])):
    sender.send(Message(body="message %d" % i))
connection.close()
EOF
}

qc() {
  "$QPID_CONFIG" -b "$BROKER" --timeout 10 "$@"
}

# --- help and usage errors (no broker needed) -------------------------------------------------

@test "--help prints the usage and the exit codes" {
  run "$QPID_CONFIG" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"qpid-config [OPTIONS] add queue <name>"* ]]
  [[ "$output" == *"--replicate LEVEL"* ]]
  [[ "$output" == *"Exit codes:"* ]]
  [[ "$output" == *"3  cannot connect"* ]]
}

@test "-h and the help command print the usage too" {
  run "$QPID_CONFIG" -h
  [ "$status" -eq 0 ]
  [[ "$output" == *"Usage:"* ]]
  run "$QPID_CONFIG" help
  [ "$status" -eq 0 ]
  [[ "$output" == *"Usage:"* ]]
}

@test "an unknown command is a usage error naming it" {
  run "$QPID_CONFIG" frobnicate
  [ "$status" -eq 2 ]
  [[ "$output" == *"unknown command 'frobnicate'"* ]]
  [[ "$output" == *"--help"* ]]
}

@test "an unknown option is a usage error naming it" {
  run "$QPID_CONFIG" queues --colour
  [ "$status" -eq 2 ]
  [[ "$output" == *"unknown option '--colour'"* ]]
  run "$QPID_CONFIG" -x queues
  [ "$status" -eq 2 ]
  [[ "$output" == *"unknown option '-x'"* ]]
}

@test "an option missing its value is a usage error" {
  run "$QPID_CONFIG" queues --timeout
  [ "$status" -eq 2 ]
  [[ "$output" == *"--timeout needs a value"* ]]
}

@test "a bad --timeout is a usage error naming the value" {
  run "$QPID_CONFIG" --timeout soon queues
  [ "$status" -eq 2 ]
  [[ "$output" == *"invalid --timeout 'soon'"* ]]
  run "$QPID_CONFIG" --timeout 0 queues
  [ "$status" -eq 2 ]
  [[ "$output" == *"invalid --timeout '0'"* ]]
}

@test "a bad --replicate level is a usage error naming it" {
  run "$QPID_CONFIG" add queue q --replicate sometimes
  [ "$status" -eq 2 ]
  [[ "$output" == *"invalid --replicate 'sometimes'"* ]]
  [[ "$output" == *"none, configuration or all"* ]]
}

@test "a bad --max-queue-count is a usage error naming it" {
  run "$QPID_CONFIG" add queue q --max-queue-count ten
  [ "$status" -eq 2 ]
  [[ "$output" == *"invalid value 'ten' for --max-queue-count"* ]]
}

@test "classic queue options that are not implemented yet are refused, not ignored" {
  run "$QPID_CONFIG" add queue q --lvq-key k
  [ "$status" -eq 2 ]
  [[ "$output" == *"--lvq-key is not available yet"* ]]
}

@test "an --argument without NAME=VALUE is a usage error" {
  run "$QPID_CONFIG" add queue q --argument justaname
  [ "$status" -eq 2 ]
  [[ "$output" == *"'justaname' is not NAME=VALUE"* ]]
}

@test "commands missing their arguments are usage errors" {
  run "$QPID_CONFIG" add queue
  [ "$status" -eq 2 ]
  [[ "$output" == *"'add queue' needs a name"* ]]
  run "$QPID_CONFIG" add exchange topic
  [ "$status" -eq 2 ]
  [[ "$output" == *"'add exchange' needs a type and a name"* ]]
  run "$QPID_CONFIG" add topic t
  [ "$status" -eq 2 ]
  [[ "$output" == *"expected 'queue' or 'exchange'"* ]]
  run "$QPID_CONFIG" bind amq.direct
  [ "$status" -eq 2 ]
  [[ "$output" == *"needs an exchange and a queue"* ]]
  run "$QPID_CONFIG" del queue a b
  [ "$status" -eq 2 ]
  [[ "$output" == *"unexpected argument 'b'"* ]]
}

@test "a headers binding with a bad match word is a usage error" {
  run "$QPID_CONFIG" bind amq.match q key most a=1
  [ "$status" -eq 2 ]
  [[ "$output" == *"unexpected argument 'most'"* ]]
  run "$QPID_CONFIG" bind amq.match q key all
  [ "$status" -eq 2 ]
  [[ "$output" == *"needs at least one NAME=VALUE"* ]]
}

@test "an option the command does not use is a usage error" {
  run "$QPID_CONFIG" queues --durable
  [ "$status" -eq 2 ]
  [[ "$output" == *"--durable does not apply to 'queues'"* ]]
  run "$QPID_CONFIG" add exchange topic t --exclusive
  [ "$status" -eq 2 ]
  [[ "$output" == *"--exclusive does not apply to 'add exchange'"* ]]
}

@test "a malformed broker URL is a usage error" {
  run "$QPID_CONFIG" -b "127.0.0.1:notaport" queues
  [ "$status" -eq 2 ]
  [[ "$output" == *"bad broker address"* ]]
  [[ "$output" == *"notaport"* ]]
}

# --- connection failures ----------------------------------------------------------------------

@test "an unreachable broker exits 3 naming the address" {
  port=$(free_port)
  run "$QPID_CONFIG" -b "127.0.0.1:$port" --timeout 5 queues
  [ "$status" -eq 3 ]
  [[ "$output" == *"cannot connect to 127.0.0.1:$port"* ]]
  [[ "$output" == *"refused"* ]]
}

@test "every address of an unreachable list is named" {
  p1=$(free_port)
  p2=$(free_port)
  run "$QPID_CONFIG" -b "amqp:tcp:127.0.0.1:$p1,tcp:127.0.0.1:$p2" --timeout 5 queues
  [ "$status" -eq 3 ]
  [[ "$output" == *"127.0.0.1:$p1"* ]]
  [[ "$output" == *"127.0.0.1:$p2"* ]]
}

@test "a peer that accepts but never answers is bounded by --timeout" {
  port=$(free_port)
  "$PYTHON" -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5)
print("ready", flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' "$port" >"$WORK_DIR/silent.out" &
  HELPER_PID=$!
  for _ in $(seq 50); do grep -q ready "$WORK_DIR/silent.out" && break; sleep 0.1; done
  start=$(date +%s)
  run "$QPID_CONFIG" -b "127.0.0.1:$port" --timeout 1 queues
  elapsed=$(( $(date +%s) - start ))
  [ "$status" -eq 3 ]
  [[ "$output" == *"127.0.0.1:$port: no answer within 1s"* ]]
  [ "$elapsed" -le 5 ]
}

# --- against a live broker --------------------------------------------------------------------

@test "no command prints the classic summary" {
  start_broker
  run qc
  [ "$status" -eq 0 ]
  [[ "$output" == *"Total Exchanges: 4"* ]]
  [[ "$output" == *"topic: 1"* ]]
  [[ "$output" == *"Total Queues: 0"* ]]
}

@test "add queue, then queues lists it; options may come before or after the command" {
  start_broker
  run "$QPID_CONFIG" --broker "$BROKER" add queue q1
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  run "$QPID_CONFIG" add queue q2 --durable -b "$BROKER"
  [ "$status" -eq 0 ]
  run qc queues
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == queue*dur*autoDel*excl*repl*msg*bytes*acq*msgIn*msgOut*cons*bind* ]]
  [[ "$output" == *"q1 "* ]]
  [[ "$output" =~ q2\ +Y ]]
}

@test "add queue with --replicate, --auto-delete, --exclusive and --argument" {
  start_broker
  run qc add queue rq --replicate all --auto-delete --exclusive --argument x-custom=7 \
    --argument note=hello
  [ "$status" -eq 0 ]
  run qc queues rq
  [ "$status" -eq 0 ]
  [[ "$output" =~ rq\ +\ +Y\ +Y\ +all ]]
  [[ "$output" == *"note=hello"* ]]
  [[ "$output" == *"x-custom=7"* ]]
}

@test "add queue with limits: a full queue rejects the publisher's message" {
  start_broker
  run qc add queue lim --max-queue-count 2 --limit-policy reject
  [ "$status" -eq 0 ]
  run qc queues lim
  [[ "$output" == *"qpid.max_count=2"* ]]
  send_messages lim 2
  run "${QPID_SEND:-$BATS_TEST_DIRNAME/../../src/tools/qpid-send}" -b "127.0.0.1:$PORT" -a lim --content-string third
  [ "$status" -eq 1 ]
  [[ "$output" == *"amqp:resource-limit-exceeded"* ]]
  [[ "$output" == *"queue 'lim' is full"* ]]
}

@test "a limit policy the broker does not have yet is refused with its reason" {
  start_broker
  run qc add queue ringq --max-queue-count 5 --limit-policy ring
  [ "$status" -eq 1 ]
  [[ "$output" == *"'ring' is not available yet"* ]]
  run qc queues
  [[ "$output" != *"ringq"* ]]
}

@test "adding an existing queue exits 1 with the broker's reason" {
  start_broker
  qc add queue q1
  run qc add queue q1
  [ "$status" -eq 1 ]
  [[ "$output" == *"queue 'q1' already exists"* ]]
}

@test "del queue removes it; deleting a missing queue exits 1 naming it" {
  start_broker
  qc add queue q1
  run qc del queue q1
  [ "$status" -eq 0 ]
  run qc queues
  [[ "$output" != *"q1"* ]]
  run qc del queue q1
  [ "$status" -eq 1 ]
  [[ "$output" == *"queue 'q1' not found"* ]]
}

@test "statistics show in queues after messages are sent" {
  start_broker
  qc add queue stats
  send_messages stats 3
  run qc queues stats
  [ "$status" -eq 0 ]
  # queue dur autoDel excl repl msg bytes acq msgIn msgOut cons bind
  [[ "$output" =~ stats\ +3\ +[1-9][0-9]*\ +0\ +3\ +0\ +0\ +0 ]]
}

@test "del queue keeps a queue with messages unless forced" {
  start_broker
  qc add queue full
  send_messages full 2
  run qc del queue full
  [ "$status" -eq 1 ]
  [[ "$output" == *"not empty"* ]]
  run qc del queue full --force
  [ "$status" -eq 0 ]
  run qc queues
  [[ "$output" != *"full"* ]]
}

@test "add and del exchange; exchanges lists type and name" {
  start_broker
  run qc add exchange topic news --durable
  [ "$status" -eq 0 ]
  run qc add exchange fanout spread
  [ "$status" -eq 0 ]
  run qc exchanges
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == type*exchange*dur* ]]
  [[ "$output" =~ topic\ +news\ +Y ]]
  [[ "$output" =~ fanout\ +spread ]]
  [[ "$output" =~ direct\ +amq.direct ]]
  run qc del exchange news
  [ "$status" -eq 0 ]
  run qc exchanges
  [[ "$output" != *"news"* ]]
}

@test "exchange errors: unknown type, duplicate, missing, built in" {
  start_broker
  run qc add exchange xml x1
  [ "$status" -eq 1 ]
  [[ "$output" == *"xml"* ]]
  qc add exchange direct d1
  run qc add exchange direct d1
  [ "$status" -eq 1 ]
  [[ "$output" == *"already exists"* ]]
  run qc del exchange nothere
  [ "$status" -eq 1 ]
  [[ "$output" == *"exchange 'nothere' not found"* ]]
  run qc del exchange amq.direct
  [ "$status" -eq 1 ]
  [[ "$output" == *"amq.direct"* ]]
}

@test "bind and unbind, shown by queues -r and exchanges -r" {
  start_broker
  qc add queue q1
  qc add exchange topic news
  run qc bind news q1 "sport.#"
  [ "$status" -eq 0 ]
  run qc queues -r
  [ "$status" -eq 0 ]
  [[ "$output" == *"Queue 'q1'"* ]]
  [[ "$output" == *"bind [sport.#] => news"* ]]
  run qc exchanges --recursive
  [[ "$output" == *"Exchange 'news' (topic)"* ]]
  [[ "$output" == *"bind [sport.#] => q1"* ]]
  run qc unbind news q1 "sport.#"
  [ "$status" -eq 0 ]
  run qc queues -r
  [[ "$output" != *"sport.#"* ]]
  run qc unbind news q1 "sport.#"
  [ "$status" -eq 1 ]
  [[ "$output" == *"not found"* ]]
}

@test "a headers binding takes any|all and NAME=VALUE matches" {
  start_broker
  qc add queue reds
  run qc bind amq.match reds all color=red size=3
  [ "$status" -eq 0 ]
  run qc exchanges -r amq.match
  [[ "$output" == *"bind [] => reds"* ]]
  [[ "$output" == *"color=red"* ]]
  [[ "$output" == *"size=3"* ]]
  [[ "$output" == *"x-match=all"* ]]
  run qc bind amq.match reds k1 any color=blue
  [ "$status" -eq 0 ]
  run qc queues -r reds
  [[ "$output" == *"bind [k1] => amq.match"* ]]
}

@test "binding to a missing queue or exchange exits 1 naming it" {
  start_broker
  qc add queue q1
  run qc bind amq.direct nosuchqueue key
  [ "$status" -eq 1 ]
  [[ "$output" == *"queue 'nosuchqueue' not found"* ]]
  run qc bind nosuchexchange q1 key
  [ "$status" -eq 1 ]
  [[ "$output" == *"exchange 'nosuchexchange' not found"* ]]
}

@test "list shows the broker, exchanges, queues and bindings" {
  start_broker
  qc add queue q1
  qc bind amq.direct q1 k
  run qc list
  [ "$status" -eq 0 ]
  [[ "$output" == *"Broker "* ]]
  [[ "$output" == *"Exchanges"* ]]
  [[ "$output" == *"Queues"* ]]
  [[ "$output" == *"Bindings"* ]]
  [[ "$output" =~ amq.direct\ +q1\ +k ]]
}

@test "-b accepts the classic URL forms and tries each address in turn" {
  start_broker
  run "$QPID_CONFIG" -b "amqp:tcp:127.0.0.1:$PORT" add queue u1
  [ "$status" -eq 0 ]
  run "$QPID_CONFIG" -b "guest/guest@127.0.0.1:$PORT" queues
  [ "$status" -eq 0 ]
  [[ "$output" == *"u1"* ]]
  dead=$(free_port)
  run "$QPID_CONFIG" -b "127.0.0.1:$dead, 127.0.0.1:$PORT" queues
  [ "$status" -eq 0 ]
  [[ "$output" == *"u1"* ]]
  run "$QPID_CONFIG" -b "localhost:$PORT" queues
  [ "$status" -eq 0 ]
}

@test "--ha-admin connects as an admin tool" {
  start_broker
  run qc --ha-admin add queue adminq
  [ "$status" -eq 0 ]
  run qc --ha-admin queues
  [ "$status" -eq 0 ]
  [[ "$output" == *"adminq"* ]]
}
