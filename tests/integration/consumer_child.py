"""A consumer run as a separate process so that a test can kill it (SIGKILL, by its PID) while it
holds unacknowledged messages: the broker sees the socket die with no AMQP close.

usage: consumer_child.py URL ADDRESS COUNT SETTLE
  Receives COUNT messages one at a time (credit 1 each, no prefetch) and settles none, except
  as SETTLE says: a string of one letter per message, '.' = leave unacknowledged,
  'r' = released, 'a' = accepted, 'm' = modified(delivery-failed). Then prints
  "READY <json list of bodies>" and sleeps until killed.
"""

import json
import sys
import time

from proton import Delivery, Timeout
from proton.utils import BlockingConnection


def main():
    url, address, count, settle = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    conn = BlockingConnection(url, timeout=10)
    rcv = conn.create_receiver(address)
    got = []
    for _ in range(count):
        got.append(rcv.receive(timeout=10).body)
    # Fetcher.unsettled holds the deliveries in the order received.
    deliveries = list(rcv.fetcher.unsettled)
    for dlv, how in zip(deliveries, settle):
        if how == "r":
            dlv.update(Delivery.RELEASED)
            dlv.settle()
        elif how == "a":
            dlv.update(Delivery.ACCEPTED)
            dlv.settle()
        elif how == "m":
            dlv.local.failed = True
            dlv.update(Delivery.MODIFIED)
            dlv.settle()
    # Let the dispositions reach the broker.
    try:
        conn.wait(lambda: False, timeout=0.5)
    except Timeout:
        pass
    print("READY " + json.dumps(got), flush=True)
    while True:
        time.sleep(1)
        try:
            conn.wait(lambda: False, timeout=0.1)
        except Timeout:
            pass


if __name__ == "__main__":
    main()
