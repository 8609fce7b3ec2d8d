#!/usr/bin/env bats
# qpid-config: usage and connection errors without a broker, then the commands against a live
# qpidd (tests/lib/broker.bash: a free loopback port, a temporary data directory, an empty
# config file).
#
# The binaries default to the build tree; override with QPID_CONFIG=..., QPID_SEND=...,
# QPID_RECEIVE=... and QPIDD=...

load '../lib/broker'

QPID_CONFIG=${QPID_CONFIG:-$BATS_TEST_DIRNAME/../../src/tools/qpid-config}
QPID_SEND=${QPID_SEND:-$BATS_TEST_DIRNAME/../../src/tools/qpid-send}
QPID_RECEIVE=${QPID_RECEIVE:-$BATS_TEST_DIRNAME/../../src/tools/qpid-receive}
PYTHON=/usr/bin/python3

setup() {
  BROKER_PID=
  HELPER_PID=
  WORK_DIR=$(mktemp -d "${BATS_TMPDIR:-/tmp}/qpid-config-test.XXXXXX")
}

teardown() {
  stop_pid "$HELPER_PID"
  stop_broker || true
  rm -rf "$WORK_DIR"
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

# qpid-send to this test's broker: ADDRESS, then qpid-send options.
send() {
  local address=$1
  shift
  "$QPID_SEND" -b "$BROKER" -a "$address" --timeout 10 "$@"
}

# Receives COUNT messages from ADDRESS and prints their bodies, one a line.
receive() {
  "$QPID_RECEIVE" -b "$BROKER" -a "$1" -m "$2" --timeout 5
}

# The queues row of QUEUE (the table line that starts with its name).
queue_row() {
  qc queues "$1" | grep -E "^$1 "
}

# --- help and usage errors (no broker needed) -------------------------------------------------

@test "--help prints the usage and the exit codes" {
  run "$QPID_CONFIG" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"qpid-config [OPTIONS] add queue <name>"* ]]
  [[ "$output" == *"--replicate LEVEL"* ]]
  [[ "$output" == *"--alternate-exchange NAME"* ]]
  [[ "$output" == *"--lvq-key KEY"* ]]
  [[ "$output" == *"--priorities N"* ]]
  [[ "$output" == *"--fairshare N"* ]]
  [[ "$output" == *"--flow-stop-count N"* ]]
  # --limit-policy none sends no argument: the broker's default, reject, applies.
  [[ "$output" == *"none    no qpid.policy_type is sent, so the"*"broker's default, reject, applies"* ]]
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

@test "a bad number for a queue option is a usage error naming the option and value" {
  for option in --max-queue-size --max-queue-count --fairshare --flow-stop-count \
    --flow-resume-count --flow-stop-size --flow-resume-size; do
    run "$QPID_CONFIG" add queue q "$option" lots
    [ "$status" -eq 2 ]
    [[ "$output" == *"invalid value 'lots' for $option: expected a whole number"* ]]
    run "$QPID_CONFIG" add queue q "$option=-1"
    [ "$status" -eq 2 ]
    [[ "$output" == *"invalid value '-1' for $option"* ]]
  done
}

@test "--priorities above 10 or not a number is a usage error naming the value" {
  run "$QPID_CONFIG" add queue q --priorities 11
  [ "$status" -eq 2 ]
  [[ "$output" == *"invalid value '11' for --priorities: expected a number of priority levels from 0 to 10"* ]]
  run "$QPID_CONFIG" add queue q --priorities high
  [ "$status" -eq 2 ]
  [[ "$output" == *"invalid value 'high' for --priorities"* ]]
}

@test "an unknown --limit-policy is a usage error listing the policies" {
  run "$QPID_CONFIG" add queue q --limit-policy drop
  [ "$status" -eq 2 ]
  [[ "$output" == *"invalid value 'drop' for --limit-policy: expected none, reject, ring, ring-strict or flow-to-disk"* ]]
}

@test "an empty --lvq-key or --alternate-exchange is a usage error" {
  run "$QPID_CONFIG" add queue q --lvq-key ""
  [ "$status" -eq 2 ]
  [[ "$output" == *"invalid value '' for --lvq-key: expected a non-empty name"* ]]
  run "$QPID_CONFIG" add queue q --alternate-exchange=
  [ "$status" -eq 2 ]
  [[ "$output" == *"invalid value '' for --alternate-exchange: expected an exchange name"* ]]
}

@test "a declare argument set by two options is a usage error naming both" {
  run "$QPID_CONFIG" add queue q --max-queue-count 5 --argument qpid.max_count=6
  [ "$status" -eq 2 ]
  [[ "$output" == *"argument qpid.max_count is given twice: by --max-queue-count and by --argument"* ]]
  run "$QPID_CONFIG" add queue q --lvq-key a --lvq-key b
  [ "$status" -eq 2 ]
  [[ "$output" == *"--lvq-key is given twice"* ]]
}

@test "queue options do not apply to add exchange or to listing" {
  run "$QPID_CONFIG" add exchange direct x --max-queue-count 3
  [ "$status" -eq 2 ]
  [[ "$output" == *"--max-queue-count does not apply to 'add exchange'"* ]]
  run "$QPID_CONFIG" queues --alternate-exchange x
  [ "$status" -eq 2 ]
  [[ "$output" == *"--alternate-exchange does not apply to 'queues'"* ]]
}

@test "classic options this broker does not have are refused, not ignored, saying why" {
  run "$QPID_CONFIG" add queue q --file-size 24
  [ "$status" -eq 2 ]
  [[ "$output" == *"option --file-size is not available yet in this version: this broker has no message store"* ]]
  run "$QPID_CONFIG" add queue q --group-header g
  [ "$status" -eq 2 ]
  [[ "$output" == *"--group-header is not available yet"*"message groups"* ]]
  run "$QPID_CONFIG" add queue q --order lvq
  [ "$status" -eq 2 ]
  [[ "$output" == *"--order is not available yet"*"--lvq-key"* ]]
  run "$QPID_CONFIG" add exchange direct x --sequence
  [ "$status" -eq 2 ]
  [[ "$output" == *"--sequence is not available yet"* ]]
}

@test "a bad --start-replica URL is a usage error naming it, and it applies to add queue only" {
  run "$QPID_CONFIG" add queue q --start-replica node1:99999
  [ "$status" -eq 2 ]
  [[ "$output" == *"invalid value 'node1:99999' for --start-replica"* ]]
  run "$QPID_CONFIG" add exchange direct x --start-replica node1
  [ "$status" -eq 2 ]
  [[ "$output" == *"option --start-replica does not apply to 'add exchange'"* ]]
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
  broker_up
  run qc
  [ "$status" -eq 0 ]
  [[ "$output" == *"Total Exchanges: 4"* ]]
  [[ "$output" == *"topic: 1"* ]]
  [[ "$output" == *"Total Queues: 0"* ]]
}

@test "add queue, then queues lists it; options may come before or after the command" {
  broker_up
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
  broker_up
  run qc add queue rq --replicate all --auto-delete --exclusive --argument x-custom=7 \
    --argument note=hello
  [ "$status" -eq 0 ]
  run qc queues rq
  [ "$status" -eq 0 ]
  [[ "$output" =~ rq\ +\ +Y\ +Y\ +all ]]
  [[ "$output" == *"auto-del excl --replicate=all --argument note=hello --argument x-custom=7"* ]]
}

@test "an --auto-delete queue goes with its last consumer" {
  broker_up
  qc add queue ad --auto-delete
  run queue_row ad
  [[ "$output" == *"auto-del"* ]]
  # A consumer comes and goes (nothing arrives within 1 s): the queue goes with it.
  run "$QPID_RECEIVE" -b "$BROKER" -a ad -m 1 --timeout 1
  run qc queues
  [ "$status" -eq 0 ]
  [[ "$output" != *"ad "* ]]
}

@test "an --exclusive queue refuses a second consumer" {
  broker_up
  qc add queue ex --exclusive
  "$QPID_RECEIVE" -b "$BROKER" -a ex -f >"$WORK_DIR/first.out" 2>&1 3>&- &
  HELPER_PID=$!
  for _ in $(seq 50); do
    queue_row ex | grep -qE ' 1 +0 +excl' && break
    sleep 0.1
  done
  run queue_row ex
  [[ "$output" =~ ex\ +Y\ +.*\ 1\ +0\ +excl ]]
  run receive ex 1
  [ "$status" -ne 0 ]
  [[ "$output" == *"amqp:resource-locked"* ]]
}

@test "add queue with limits: a full queue rejects the publisher's message" {
  broker_up
  # Flow control off (by default it would stop at 80% of the count, 1 message, and hold the
  # second publisher back rather than let it fill the queue).
  run qc add queue lim --max-queue-count 2 --max-queue-size 100000 --limit-policy reject \
    --flow-stop-count 0
  [ "$status" -eq 0 ]
  run qc queues lim
  [[ "$output" == *"--max-queue-size=100000 --max-queue-count=2 --limit-policy=reject --flow-stop-count=0"* ]]
  send_messages lim 2
  run send lim --content-string third
  [ "$status" -eq 1 ]
  [[ "$output" == *"amqp:resource-limit-exceeded"* ]]
  [[ "$output" == *"queue 'lim' is full"* ]]
}

@test "--limit-policy ring keeps the newest messages" {
  broker_up
  run qc add queue ringq --max-queue-count 2 --limit-policy ring
  [ "$status" -eq 0 ]
  send_messages ringq 3
  run queue_row ringq
  [[ "$output" =~ ringq\ +2\  ]]
  [[ "$output" == *"--max-queue-count=2 --limit-policy=ring"* ]]
  run receive ringq 2
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "message 1" ]
  [ "${lines[1]}" = "message 2" ]
}

@test "--limit-policy none sends no policy: the broker's default, reject, applies" {
  broker_up
  run qc add queue noneq --max-queue-count 1 --limit-policy none
  [ "$status" -eq 0 ]
  run queue_row noneq
  [[ "$output" == *"--max-queue-count=1"* ]]
  [[ "$output" != *"--limit-policy"* ]]
  send_messages noneq 1
  run send noneq --content-string second
  [ "$status" -eq 1 ]
  [[ "$output" == *"queue 'noneq' is full"* ]]
}

@test "--limit-policy ring-strict and flow-to-disk are passed on: the broker's refusal is shown" {
  broker_up
  run qc add queue strict --max-queue-count 5 --limit-policy ring-strict
  [ "$status" -eq 1 ]
  [[ "$output" == *"qpid.policy_type 'ring_strict' is not supported"* ]]
  run qc add queue disk --max-queue-count 5 --limit-policy flow-to-disk
  [ "$status" -eq 1 ]
  [[ "$output" == *"'flow_to_disk' is not supported: this broker has no message store"* ]]
  run qc queues
  [[ "$output" != *"strict"* ]]
  [[ "$output" != *"disk"* ]]
}

@test "--lvq-key: a newer value of the key replaces the older message" {
  broker_up
  run qc add queue prices --lvq-key symbol
  [ "$status" -eq 0 ]
  send prices -P symbol=ACME --content-string "ACME 10"
  send prices -P symbol=XYZ --content-string "XYZ 5"
  send prices -P symbol=ACME --content-string "ACME 11"
  run queue_row prices
  [[ "$output" =~ prices\ +2\  ]]
  [[ "$output" == *"--lvq-key=symbol"* ]]
  run receive prices 2
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "XYZ 5" ]
  [ "${lines[1]}" = "ACME 11" ]
}

@test "--priorities and --fairshare: the higher level is delivered first" {
  broker_up
  run qc add queue jobs --priorities 10 --fairshare 2
  [ "$status" -eq 0 ]
  run queue_row jobs
  [[ "$output" == *"--priorities=10 --fairshare=2"* ]]
  send jobs --priority 1 --content-string low
  send jobs --priority 9 --content-string high
  run receive jobs 2
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "high" ]
  [ "${lines[1]}" = "low" ]
}

@test "--fairshare without priority levels is refused by the broker naming the argument" {
  broker_up
  run qc add queue fair --fairshare 2
  [ "$status" -eq 1 ]
  [[ "$output" == *"qpid.fairshare needs a priority queue"* ]]
}

@test "flow control options show in queues; the broker refuses them on a ring queue" {
  broker_up
  run qc add queue fq --max-queue-count 100 --flow-stop-count 80 --flow-resume-count 70 \
    --flow-stop-size 8000 --flow-resume-size 7000
  [ "$status" -eq 0 ]
  run queue_row fq
  [[ "$output" == *"--flow-stop-size=8000 --flow-resume-size=7000 --flow-stop-count=80 --flow-resume-count=70"* ]]
  run qc add queue fring --max-queue-count 10 --limit-policy ring --flow-stop-count 5
  [ "$status" -eq 1 ]
  [[ "$output" == *"qpid.flow_stop_count does not apply to a ring queue"* ]]
  run qc add queue fback --flow-stop-count 5 --flow-resume-count 6
  [ "$status" -eq 1 ]
  [[ "$output" == *"qpid.flow_resume_count 6 is above qpid.flow_stop_count 5"* ]]
}

@test "declare arguments with an option of their own are listed as that option" {
  broker_up
  run qc add queue viaarg --argument qpid.max_count=3 --argument qpid.policy_type=ring \
    --argument qpid.auto_delete_timeout=0
  [ "$status" -eq 0 ]
  run queue_row viaarg
  [[ "$output" == *"--max-queue-count=3 --limit-policy=ring --argument qpid.auto_delete_timeout=0"* ]]
}

@test "--alternate-exchange on a queue: messages left when it is deleted go there" {
  broker_up
  qc add exchange fanout dead
  qc add queue dlq
  qc bind dead dlq
  run qc add queue work --alternate-exchange dead
  [ "$status" -eq 0 ]
  run queue_row work
  [[ "$output" == *"--alternate-exchange=dead"* ]]
  send_messages work 2
  run qc del queue work --force
  [ "$status" -eq 0 ]
  run queue_row dlq
  [[ "$output" =~ dlq\ +2\  ]]
}

@test "--alternate-exchange on an exchange: messages no binding matches go there" {
  broker_up
  qc add exchange fanout dead
  qc add queue dlq
  qc bind dead dlq
  run qc add exchange direct main --alternate-exchange dead
  [ "$status" -eq 0 ]
  run qc exchanges main
  [ "$status" -eq 0 ]
  [[ "$output" =~ direct\ +main\ .*--alternate-exchange=dead ]]
  send main --subject nobody --content-string lost
  run receive dlq 1
  [ "$status" -eq 0 ]
  [ "$output" = "lost" ]
}

@test "--alternate-exchange naming a missing exchange is refused with the broker's message" {
  broker_up
  run qc add queue q1 --alternate-exchange nope
  [ "$status" -eq 1 ]
  [[ "$output" == *"alternate exchange 'nope' of queue 'q1' not found"* ]]
  run qc add exchange topic t1 --alternate-exchange nope
  [ "$status" -eq 1 ]
  [[ "$output" == *"alternate exchange 'nope' of exchange 't1' not found"* ]]
  run qc list
  [[ "$output" != *"q1"* ]]
  [[ "$output" != *"t1"* ]]
}

@test "an --alternate-exchange that disagrees with --argument alternate-exchange is refused" {
  broker_up
  qc add exchange fanout dead
  qc add exchange fanout other
  run qc add queue q1 --alternate-exchange dead --argument alternate-exchange=other
  [ "$status" -eq 1 ]
  [[ "$output" == *"attribute 'alternate-exchange' is 'dead' but argument alternate-exchange is"*"other"* ]]
}

@test "an exchange in use as an alternate cannot be deleted: the refusal names the user" {
  broker_up
  qc add exchange fanout dead
  qc add queue work --alternate-exchange dead
  run qc del exchange dead
  [ "$status" -eq 1 ]
  [[ "$output" == *"exchange 'dead' is the alternate exchange of queue 'work'"* ]]
  qc del queue work
  qc add exchange topic main --alternate-exchange dead
  run qc del exchange dead
  [ "$status" -eq 1 ]
  [[ "$output" == *"exchange 'dead' is the alternate exchange of exchange 'main'"* ]]
  qc del exchange main
  run qc del exchange dead
  [ "$status" -eq 0 ]
}

@test "adding an existing queue exits 1 with the broker's reason" {
  broker_up
  qc add queue q1
  run qc add queue q1
  [ "$status" -eq 1 ]
  [[ "$output" == *"queue 'q1' already exists"* ]]
}

@test "del queue removes it; deleting a missing queue exits 1 naming it" {
  broker_up
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
  broker_up
  qc add queue stats
  send_messages stats 3
  run qc queues stats
  [ "$status" -eq 0 ]
  # queue dur autoDel excl repl msg bytes acq msgIn msgOut cons bind
  [[ "$output" =~ stats\ +3\ +[1-9][0-9]*\ +0\ +3\ +0\ +0\ +0 ]]
}

@test "del queue keeps a queue with messages unless forced" {
  broker_up
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
  broker_up
  run qc add exchange topic news --durable
  [ "$status" -eq 0 ]
  run qc add exchange fanout spread
  [ "$status" -eq 0 ]
  run qc exchanges
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == type*exchange*dur* ]]
  [[ "$output" =~ topic\ +news\ +Y\ .*--durable ]]
  [[ "$output" =~ fanout\ +spread ]]
  [[ "$output" =~ direct\ +amq.direct ]]
  run qc del exchange news
  [ "$status" -eq 0 ]
  run qc exchanges
  [[ "$output" != *"news"* ]]
}

@test "exchange errors: unknown type, duplicate, missing, built in" {
  broker_up
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
  broker_up
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
  broker_up
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
  broker_up
  qc add queue q1
  run qc bind amq.direct nosuchqueue key
  [ "$status" -eq 1 ]
  [[ "$output" == *"queue 'nosuchqueue' not found"* ]]
  run qc bind nosuchexchange q1 key
  [ "$status" -eq 1 ]
  [[ "$output" == *"exchange 'nosuchexchange' not found"* ]]
}

@test "list shows the broker, exchanges, queues and bindings" {
  broker_up
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
  broker_up
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
  broker_up
  run qc --ha-admin add queue adminq
  [ "$status" -eq 0 ]
  run qc --ha-admin queues
  [ "$status" -eq 0 ]
  [[ "$output" == *"adminq"* ]]
}

@test "--ha-override implies --ha-admin and is harmless on a stand-alone broker" {
  broker_up
  run qc --ha-override add queue overrideq
  [ "$status" -eq 0 ]
  run qc --ha-override del queue overrideq
  [ "$status" -eq 0 ]
  run "$QPID_CONFIG" --help
  [[ "$output" == *"--ha-override"* ]]
}
