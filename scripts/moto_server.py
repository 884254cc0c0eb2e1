"""moto in server mode, one request at a time.

DynamoDB applies a conditional write atomically: of two writers racing on one item, exactly one
condition holds. moto's threaded server checks the condition and writes without a lock, so two
racing requests can both pass and an update is lost. The concurrency tests (fifty actors, the
store conformance counter) need DynamoDB's behaviour, so this wraps moto's WSGI application in one
lock: connections are still accepted concurrently, requests are applied one after another.

Lambda runs without Docker here (moto's "lambda simple" backend): an invocation answers the next
result queued with POST /moto-api/static/lambda-simple/response (per account and region), or echoes
its payload. moto cannot make such an invocation fail as a function error, so this also treats a
queued result shaped like the Lambda runtime's error answer, exactly {"errorType", "errorMessage"},
as one (the `X-Amz-Function-Error: Unhandled` header real Lambda sets): Step Functions then sees
`errorType` as the error name, which is how the state machine's Retry/Catch are tested.

Usage: moto_server.py HOST PORT
"""

import json
import os
import sys
import threading

from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def lambda_errors_from_queued_results() -> None:
    simple_invoke = LambdaSimpleBackend.invoke

    def invoke(self, function_name, qualifier, body, headers, response_headers):
        result = simple_invoke(self, function_name, qualifier, body, headers, response_headers)
        try:
            doc = json.loads(result)
        except ValueError:
            return result
        if isinstance(doc, dict) and set(doc) == {"errorType", "errorMessage"}:
            response_headers["x-amz-function-error"] = "Unhandled"
        return result

    LambdaSimpleBackend.invoke = invoke


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    # moto's Step Functions interpreter invokes Lambda through the server itself, at this port
    # (moto_server sets the same variable).
    os.environ.setdefault("MOTO_PORT", str(port))
    lambda_errors_from_queued_results()
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serialised(environ, start_response):
        with lock:
            # Consume the body inside the lock: WSGI apps may compute lazily while iterated.
            return list(app(environ, start_response))

    run_simple(host, port, serialised, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
