#!/usr/bin/env python3
"""Opens N TCP connections to HOST:PORT and holds them idle (tests/bench/run.sh's
"memory per idle TCP connection" row).

    idle_connections.py HOST PORT N

Connects one at a time (each connect waits for the handshake, up to 5 s;
a refused or reset one is tried again after 10 ms, up to 100 times: a
server whose accept loop starts a thread per connection falls behind, and
lwnet, as ESP-IDF, refuses a SYN while the accept queue is full; lwIP
resets a connection its full accept mailbox cannot take), prints "connected K of N" once done, then sends nothing and keeps every
connection open until SIGTERM or SIGINT, when it closes them all and exits
0. Exits 1 when fewer than N connected (they are still held until the
signal, so that the caller can look at the server either way).
"""
import signal
import socket
import sys
import time


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    # Blocked from the start and then waited for: no signal can slip in
    # between a check and the wait.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    held = []
    error = None
    while len(held) < count and error is None:
        for _ in range(100):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(5)
            try:
                s.connect((host, port))
            except (ConnectionRefusedError, ConnectionResetError) as e:
                s.close()
                error = e
                time.sleep(0.01)
                continue
            except OSError as e:
                s.close()
                error = e
                break
            held.append(s)
            error = None
            break
    print(f"connected {len(held)} of {count}" + (f" ({error})" if error else ""), flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    for s in held:
        s.close()
    return 0 if len(held) == count else 1


if __name__ == "__main__":
    sys.exit(main())
