#!/usr/bin/env bats
# qpid-send and qpid-receive: help, usage errors (exit 2 naming the value), an unreachable broker
# (exit 1 naming the address), and round trips through a live broker ($QPIDD, default
# src/qpidd/qpidd) started per test on a free loopback port with a temporary data dir.

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
SEND=${QPID_SEND:-$TOP/src/tools/qpid-send}
RECEIVE=${QPID_RECEIVE:-$TOP/src/tools/qpid-receive}
QPIDD=${QPIDD:-src/qpidd/qpidd}
case "$QPIDD" in /*) ;; *) QPIDD=$TOP/$QPIDD ;; esac

TAB=$'\t'
REPORT_HEADER="msgs${TAB}secs${TAB}tp(m/s)${TAB}l-p50(ms)${TAB}l-p99(ms)${TAB}l-max(ms)"

# Starts a broker with --port 0 (it prints the port it chose) and sets NAME=127.0.0.1:PORT,
# NAME_PID and NAME_DIR.
start_broker_as() {
  [ -x "$QPIDD" ] || skip "no broker at $QPIDD"
  local dir pid i
  dir=$(mktemp -d "${BATS_TMPDIR:-/tmp}/qpid-cli.XXXXXX")
  "$QPIDD" --port 0 --interface 127.0.0.1 --data-dir "$dir/data" --log-to-stderr no \
    > "$dir/port" 2> "$dir/stderr" 3>&- &
  pid=$!
  printf -v "${1}_PID" %s "$pid"
  printf -v "${1}_DIR" %s "$dir"
  for i in $(seq 100); do
    [ -s "$dir/port" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$dir/stderr" >&2; return 1; }
    sleep 0.1
  done
  printf -v "$1" %s "127.0.0.1:$(head -1 "$dir/port")"
}

start_broker() { start_broker_as BROKER; }

stop_broker() {  # NAME
  local pid_var="${1}_PID" dir_var="${1}_DIR"
  if [ -n "${!pid_var:-}" ]; then
    kill "${!pid_var}" 2>/dev/null || true
    wait "${!pid_var}" 2>/dev/null || true
    printf -v "$pid_var" %s ""
  fi
  if [ -n "${!dir_var:-}" ]; then rm -rf "${!dir_var}"; fi
}

teardown() {
  if [ -n "${CLIENT_PID:-}" ]; then
    kill "$CLIENT_PID" 2>/dev/null || true
    wait "$CLIENT_PID" 2>/dev/null || true
  fi
  stop_broker BROKER
  stop_broker BROKER2
}

# A loopback port with nothing listening: bind one, note it, release it.
closed_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# ---- help and usage errors --------------------------------------------------------------------

@test "qpid-send --help lists the options and the exit codes" {
  run "$SEND" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"Usage: qpid-send"* ]]
  for option in --broker --address --messages --content-size --content-string --content-stdin \
                --capacity --durable --subject --property --reply-to --presettled --create \
                --timeout --reconnect --reconnect-timeout --report-total --report-json; do
    [[ "$output" == *"$option"* ]] || { echo "missing $option"; false; }
  done
  [[ "$output" == *"Exit status"* ]]
  [[ "$output" == *"2  bad option or value"* ]]
}

@test "qpid-receive --help lists the options and the exit codes" {
  run "$RECEIVE" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"Usage: qpid-receive"* ]]
  for option in --broker --address --messages --timeout --forever --capacity --print-content \
                --browse --presettled --create --reconnect --reconnect-timeout \
                --ignore-duplicates --report-total --report-json; do
    [[ "$output" == *"$option"* ]] || { echo "missing $option"; false; }
  done
  [[ "$output" == *"Exit status"* ]]
}

@test "qpid-send: a bad value exits 2 naming the value and the option" {
  run "$SEND" -a q -m x
  [ "$status" -eq 2 ]
  [[ "$output" == "qpid-send: invalid value 'x' for --messages"* ]]

  run "$SEND" -a q --capacity 0
  [ "$status" -eq 2 ]
  [[ "$output" == *"invalid value '0' for --capacity"* ]]

  run "$SEND" -a q --durable maybe
  [ "$status" -eq 2 ]
  [[ "$output" == *"invalid value 'maybe' for --durable"* ]]

  run "$SEND" -a q --timeout soon
  [ "$status" -eq 2 ]
  [[ "$output" == *"invalid value 'soon' for --timeout"* ]]

  run "$SEND" -a q --content-size -1
  [ "$status" -eq 2 ]
  [[ "$output" == *"--content-size"* ]]

  run "$SEND" -a q --property novalue
  [ "$status" -eq 2 ]
  [[ "$output" == *"invalid value 'novalue' for --property"* ]]

  run "$SEND" -a q -b 'host:notaport'
  [ "$status" -eq 2 ]
  [[ "$output" == *"invalid value 'host:notaport' for --broker"* ]]
}

@test "qpid-receive: a bad value exits 2 naming the value and the option" {
  run "$RECEIVE" -a q -m -5
  [ "$status" -eq 2 ]
  [[ "$output" == *"--messages"* ]]

  run "$RECEIVE" -a q --print-content perhaps
  [ "$status" -eq 2 ]
  [[ "$output" == "qpid-receive: invalid value 'perhaps' for --print-content"* ]]

  run "$RECEIVE" -a q --capacity lots
  [ "$status" -eq 2 ]
  [[ "$output" == *"invalid value 'lots' for --capacity"* ]]
}

@test "unknown options, stray arguments and a missing address exit 2" {
  run "$SEND" -a q --no-such-option
  [ "$status" -eq 2 ]
  [[ "$output" == *"no-such-option"* ]]

  run "$RECEIVE" -a q stray
  [ "$status" -eq 2 ]

  run "$SEND" -m 1
  [ "$status" -eq 2 ]
  [[ "$output" == *"address"* ]]

  run "$SEND" -a q --content-string a --content-size 3
  [ "$status" -eq 2 ]
}

# ---- no broker --------------------------------------------------------------------------------

@test "an unreachable broker exits 1 naming the address" {
  port=$(closed_port)
  run "$SEND" -b "127.0.0.1:$port" -a q
  [ "$status" -eq 1 ]
  [[ "$output" == *"127.0.0.1:$port"* ]]
  [[ "$output" == *"refused"* ]]

  run "$RECEIVE" -b "127.0.0.1:$port" -a q -m 1
  [ "$status" -eq 1 ]
  [[ "$output" == *"127.0.0.1:$port"* ]]
}

@test "every address of the broker list is tried and named" {
  port1=$(closed_port)
  port2=$(closed_port)
  run "$SEND" -b "127.0.0.1:$port1,127.0.0.1:$port2" -a q
  [ "$status" -eq 1 ]
  [[ "$output" == *"127.0.0.1:$port1"* ]]
  [[ "$output" == *"127.0.0.1:$port2"* ]]
}

# ---- against a live broker --------------------------------------------------------------------

@test "send 10, receive 10, content checked" {
  start_broker
  run "$SEND" -b "$BROKER" -a cli-ten --create -m 10 --content-string "hello world"
  [ "$status" -eq 0 ]
  run "$RECEIVE" -b "$BROKER" -a cli-ten -m 10 --timeout 5
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 10 ]
  for line in "${lines[@]}"; do [ "$line" = "hello world" ]; done
}

@test "a later broker of the list is used when the first is unreachable" {
  start_broker
  port=$(closed_port)
  run "$SEND" -b "127.0.0.1:$port,$BROKER" -a cli-list --create -m 3 --content-string x
  [ "$status" -eq 0 ]
  run "$RECEIVE" -b "$BROKER" -a cli-list -m 3 --timeout 5
  [ "$status" -eq 0 ]
  [ "$output" = $'x\nx\nx' ]
}

@test "--content-stdin sends one message per line, in order" {
  start_broker
  run bash -c "printf 'first line\nsecond line\n\nfourth line\n' |
               '$SEND' -b '$BROKER' -a cli-stdin --create --content-stdin"
  [ "$status" -eq 0 ]
  run "$RECEIVE" -b "$BROKER" -a cli-stdin --timeout 2
  [ "$status" -eq 0 ]
  [ "$output" = $'first line\nsecond line\n\nfourth line' ]
}

@test "--report-total prints the classic summary line" {
  start_broker
  run "$SEND" -b "$BROKER" -a cli-report --create -m 100 --content-size 1024 --report-total
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "$REPORT_HEADER" ]
  [[ "${lines[1]}" =~ ^100$'\t'[0-9.]+$'\t'[0-9]+$'\t'[0-9.]+$'\t'[0-9.]+$'\t'[0-9.]+$ ]]

  run "$RECEIVE" -b "$BROKER" -a cli-report -m 100 --print-content no --report-total --timeout 5
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 2 ]
  [ "${lines[0]}" = "$REPORT_HEADER" ]
  # Same host, so the end-to-end latency columns are numbers.
  [[ "${lines[1]}" =~ ^100$'\t'[0-9.]+$'\t'[0-9]+$'\t'[0-9.]+$'\t'[0-9.]+$'\t'[0-9.]+$ ]]
}

@test "--report-json prints one JSON object" {
  start_broker
  run "$SEND" -b "$BROKER" -a cli-json --create -m 5 --report-json
  [ "$status" -eq 0 ]
  [[ "$output" == '{"tool":"qpid-send","messages":5,'* ]]
  [[ "$output" == *'"latency":{"kind":"accept"'* ]]
}

@test "a message larger than a frame arrives whole" {
  start_broker
  run "$SEND" -b "$BROKER" -a cli-large --create -m 2 --content-size 300000
  [ "$status" -eq 0 ]
  run "$RECEIVE" -b "$BROKER" -a cli-large -m 2 --timeout 5
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 2 ]
  [ "${#lines[0]}" -eq 300000 ]
  [ "${#lines[1]}" -eq 300000 ]
}

@test "qpid-receive -m N exits 3 when --timeout expires first" {
  start_broker
  run "$SEND" -b "$BROKER" -a cli-short --create -m 2 --content-string m
  [ "$status" -eq 0 ]
  run "$RECEIVE" -b "$BROKER" -a cli-short -m 5 --timeout 1
  [ "$status" -eq 3 ]
  [[ "$output" == *"received 2 of 5"* ]]
}

@test "a missing address is an error naming it" {
  start_broker
  run "$RECEIVE" -b "$BROKER" -a cli-no-such-queue -m 1 --timeout 5
  [ "$status" -eq 1 ]
  [[ "$output" == *"cli-no-such-queue"* ]]

  run "$SEND" -b "$BROKER" -a cli-no-such-queue -m 1 --timeout 5
  [ "$status" -eq 1 ]
  [[ "$output" == *"cli-no-such-queue"* ]]
}

@test "--browse leaves the messages on the queue" {
  start_broker
  run "$SEND" -b "$BROKER" -a cli-browse --create -m 3 --content-string b
  [ "$status" -eq 0 ]
  run "$RECEIVE" -b "$BROKER" -a cli-browse --browse -m 3 --timeout 5
  [ "$status" -eq 0 ]
  [ "$output" = $'b\nb\nb' ]
  run "$RECEIVE" -b "$BROKER" -a cli-browse -m 3 --timeout 5
  [ "$status" -eq 0 ]
  [ "$output" = $'b\nb\nb' ]
}

@test "--presettled sends and receives without acknowledgements" {
  start_broker
  run "$SEND" -b "$BROKER" -a cli-presettled --create -m 50 --presettled --content-string p
  [ "$status" -eq 0 ]
  run "$RECEIVE" -b "$BROKER" -a cli-presettled -m 50 --presettled --print-content no \
    --report-total --timeout 5
  [ "$status" -eq 0 ]
  [[ "${lines[1]}" == 50$'\t'* ]]
}

@test "subject, reply-to, durable and properties reach another client" {
  /usr/bin/python3 -c 'import proton' 2>/dev/null || skip "python3-qpid-proton is not installed"
  start_broker
  run "$SEND" -b "$BROKER" -a cli-props --create -m 1 --content-string body --subject subj \
    --reply-to replies --durable yes -P colour=red -P size=10
  [ "$status" -eq 0 ]
  run timeout 20 /usr/bin/python3 - "$BROKER" <<'EOF'
import sys
from proton.utils import BlockingConnection
connection = BlockingConnection(sys.argv[1])
receiver = connection.create_receiver("cli-props")
m = receiver.receive(timeout=5)
receiver.accept()
print(m.body, m.subject, m.reply_to, m.durable, m.properties["colour"], m.properties["size"],
      int(m.properties["sn"]))
connection.close()
EOF
  [ "$status" -eq 0 ]
  [ "$output" = "body subj replies True red 10 0" ]
}

@test "qpid-receive --reconnect moves to the next broker of the list when its broker dies" {
  start_broker_as BROKER
  start_broker_as BROKER2
  out=$BATS_TEST_TMPDIR
  "$RECEIVE" -b "$BROKER,$BROKER2" --reconnect -a cli-failover --create -m 3 --timeout 20 \
    > "$out/recv.out" 2> "$out/recv.err" 3>&- &
  CLIENT_PID=$!
  sleep 0.5
  stop_broker BROKER
  run "$SEND" -b "$BROKER2" -a cli-failover --create -m 3 --content-string moved
  [ "$status" -eq 0 ]
  # Not `run wait`: run's subshell cannot wait for this shell's child.
  status=0
  wait "$CLIENT_PID" || status=$?
  CLIENT_PID=
  cat "$out/recv.err"
  [ "$status" -eq 0 ]
  [ "$(cat "$out/recv.out")" = $'moved\nmoved\nmoved' ]
  grep -q "reconnected to $BROKER2" "$out/recv.err"
}

@test "qpid-send --reconnect carries on with the next broker and resends what was in flight" {
  start_broker_as BROKER
  start_broker_as BROKER2
  out=$BATS_TEST_TMPDIR
  # -m 0: send until interrupted, so the broker surely dies mid-run.
  "$SEND" -b "$BROKER,$BROKER2" --reconnect -a cli-resend --create -m 0 --content-size 100 \
    --report-json > "$out/send.out" 2> "$out/send.err" 3>&- &
  CLIENT_PID=$!
  sleep 0.5
  stop_broker BROKER
  sleep 0.5
  kill -TERM "$CLIENT_PID"
  # Not `run wait`: run's subshell cannot wait for this shell's child.
  status=0
  wait "$CLIENT_PID" || status=$?
  CLIENT_PID=
  cat "$out/send.err"
  [ "$status" -eq 0 ]
  grep -q "reconnected to $BROKER2" "$out/send.err"
  grep -q '"tool":"qpid-send"' "$out/send.out"
  run "$RECEIVE" -b "$BROKER2" -a cli-resend --print-content no --timeout 1 --report-total \
    --ignore-duplicates
  [ "$status" -eq 0 ]
  [[ "${lines[1]}" =~ ^[1-9][0-9]*$'\t' ]]
}

@test "without --reconnect a lost connection is exit 1 naming the broker" {
  start_broker
  out=$BATS_TEST_TMPDIR
  "$RECEIVE" -b "$BROKER" -a cli-lost --create -m 1 > /dev/null 2> "$out/lost.err" 3>&- &
  CLIENT_PID=$!
  sleep 0.5
  broker=$BROKER
  stop_broker BROKER
  # Not `run wait`: run's subshell cannot wait for this shell's child.
  status=0
  wait "$CLIENT_PID" || status=$?
  CLIENT_PID=
  cat "$out/lost.err"
  [ "$status" -eq 1 ]
  grep -q "$broker" "$out/lost.err"
}
