"""A failover client for the HA tests: a Proton Python reactor client given every broker's
address, reconnecting (Container.connect(urls=..., reconnect=Backoff)) whenever the connection
is lost: a killed primary refuses the socket, backups drop it at the transport, and the client
moves on along the list until it finds the new primary.

usage: ha_client.py send|receive ADDRESS STOP_FILE URL [URL...]

send     sends the numbers 0, 1, 2, ... as message bodies, one at a time: the next only once
         the previous was accepted. A message whose connection was lost before its acceptance
         (or that was released/rejected/modified) is sent again, so the broker may get it twice.
         Prints "ACK n" for each acceptance.
receive  receives (credit 10) and accepts everything; prints "RECV n" for each message (the
         same n may come twice after a failover).
Both print "CONNECTED url" and "DISCONNECTED" as the connection comes and goes, and stop once
STOP_FILE exists (the sender after its message in flight, if any, is accepted), printing
"DONE". Each one gives up (exit status 3) after HA_CLIENT_LIFETIME seconds (environment, 300 by
default).
"""

import os
import sys
import time

from proton import Message
from proton.handlers import MessagingHandler
from proton.reactor import Backoff, Container

LIFETIME = float(os.environ.get("HA_CLIENT_LIFETIME", "300"))


def out(*words):
    print(*words, flush=True)


class Client(MessagingHandler):
    def __init__(self, address, stop_file, urls, **kwargs):
        super().__init__(**kwargs)
        self.address, self.stop_file, self.urls = address, stop_file, urls
        self.conn = None
        self.stopping = False
        self.started = time.monotonic()

    def on_start(self, event):
        self.conn = event.container.connect(
            urls=self.urls, reconnect=Backoff(initial=0.1, factor=1.5, max_delay=1.0))
        self.attach(event.container)
        event.container.schedule(0.1, self)

    def on_connection_opened(self, event):
        out("CONNECTED", getattr(event.connection, "url", "?"))

    def on_disconnected(self, event):
        out("DISCONNECTED")
        self.lost()

    def on_timer_task(self, event):
        if time.monotonic() - self.started > LIFETIME:
            out("GAVE-UP")
            os._exit(3)
        if os.path.exists(self.stop_file):
            self.stopping = True
        if self.stopping and self.idle():
            out("DONE")
            self.conn.close()
            return
        event.container.schedule(0.1, self)

    def lost(self):
        pass

    def idle(self):
        return True


class Sender(Client):
    def attach(self, container):
        self.next = 0
        self.delivery = None
        self.sender = container.create_sender(self.conn, self.address)

    def on_sendable(self, event):
        self.send()

    def send(self):
        if self.delivery is None and not self.stopping and self.sender.credit > 0:
            self.delivery = self.sender.send(Message(body=self.next))

    def current(self, event):
        # Proton wraps a delivery in a new Python object per event: compare the tags.
        return self.delivery is not None and event.delivery.tag == self.delivery.tag

    def on_accepted(self, event):
        if self.current(event):
            out("ACK", self.next)
            self.next += 1
            self.delivery = None
            self.send()

    def resend(self, event, why):
        if self.current(event):
            out("RESEND", self.next, why)
            self.delivery = None
            self.send()

    def on_rejected(self, event):
        self.resend(event, "rejected")

    def on_released(self, event):
        self.resend(event, "released")

    def lost(self):
        if self.delivery is not None:
            out("RESEND", self.next, "connection lost")
            self.delivery.settle()  # forgotten: a new copy goes on the next connection
            self.delivery = None

    def idle(self):
        return self.delivery is None


class Receiver(Client):
    def attach(self, container):
        container.create_receiver(self.conn, self.address)

    def on_message(self, event):
        out("RECV", event.message.body)


def main():
    mode, address, stop_file, urls = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    handler = {"send": Sender, "receive": Receiver}[mode](address, stop_file, urls)
    Container(handler).run()


if __name__ == "__main__":
    main()
