"""Runs `mlflow server` for the greenloop test kit and embedded stack.

The server runs in its own process group. It is stopped, with all its workers, when standard
input reaches end-of-file (the Java parent closed it or died) or on SIGTERM/SIGINT.
Usage: python mlflow_server.py <mlflow executable> <server arguments...>
"""
import os
import signal
import subprocess
import sys
import threading

def main() -> int:
    mlflow, args = sys.argv[1], sys.argv[2:]
    server = subprocess.Popen([mlflow, "server", *args], start_new_session=True)
    done = threading.Event()

    def stop(*_):
        if server.poll() is None:
            print("mlflow: stopping server", flush=True)
            try:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        done.set()

    def watch_stdin():
        try:
            while sys.stdin.buffer.read(1):
                pass
        except OSError:
            pass
        stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threading.Thread(target=watch_stdin, daemon=True).start()
    while not done.is_set() and server.poll() is None:
        done.wait(0.5)
    stop()
    return server.returncode or 0

if __name__ == "__main__":
    sys.exit(main())
