"""moto in server mode, one request at a time.

DynamoDB applies a conditional write atomically: of two writers racing on one item, exactly one
condition holds. moto's threaded server checks the condition and writes without a lock, so two
racing requests can both pass and an update is lost. The concurrency tests (fifty actors, the
store conformance counter) need DynamoDB's behaviour, so this wraps moto's WSGI application in one
lock: connections are still accepted concurrently, requests are applied one after another.

Usage: moto_server.py HOST PORT
"""

import os
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    # moto's Step Functions interpreter invokes Lambda through the server itself, at this port
    # (moto_server sets the same variable).
    os.environ.setdefault("MOTO_PORT", str(port))
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serialised(environ, start_response):
        with lock:
            # Consume the body inside the lock: WSGI apps may compute lazily while iterated.
            return list(app(environ, start_response))

    run_simple(host, port, serialised, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
