"""lambdafit's Python runtime: the loop AWS's managed Python runtime runs, standard library only.

Semantics follow AWS's Python runtime interface client (awslambdaric): `module.function` handlers
(slashes allowed in the module part), a `context` object, init failures posted to
/runtime/init/error as Runtime.ImportModuleError / Runtime.UserCodeSyntaxError /
Runtime.HandlerNotFound, and error bodies `{errorMessage, errorType, requestId, stackTrace}`.
"""

import decimal
import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"


class Unbuffered:
    """Flush after every write, as the managed runtime does, so prints reach the log promptly."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, data):
        self.stream.write(data)
        self.stream.flush()

    def writelines(self, lines):
        self.stream.writelines(lines)
        self.stream.flush()

    def __getattr__(self, attr):
        return getattr(self.stream, attr)


class FaultException(Exception):
    def __init__(self, exception_type, msg, trace=None):
        super().__init__(msg)
        self.exception_type = exception_type
        self.msg = msg
        self.trace = trace


class RuntimeClient:
    """One keep-alive HTTP connection to $AWS_LAMBDA_RUNTIME_API."""

    def __init__(self, host_port):
        host, _, port = host_port.partition(":")
        self.connection = http.client.HTTPConnection(host, int(port))

    def request(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            try:
                self.connection.request(method, "/2018-06-01" + path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                return response.status, response.getheaders(), response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                if attempt:
                    raise

    def next(self):
        status, headers, body = self.request("GET", "/runtime/invocation/next")
        if status != 200:
            raise RuntimeError("Failed to get next invocation, http status %d" % status)
        return {k.lower(): v for k, v in headers}, body

    def post_response(self, request_id, body):
        return self.request(
            "POST",
            "/runtime/invocation/%s/response" % request_id,
            body,
            {"Content-Type": "application/json"},
        )

    def post_error(self, request_id, error):
        return self.request(
            "POST",
            "/runtime/invocation/%s/error" % request_id,
            json.dumps(error),
            {"Content-Type": "application/json", ERROR_TYPE_HEADER: error.get("errorType", "")},
        )

    def post_init_error(self, error):
        return self.request(
            "POST",
            "/runtime/init/error",
            json.dumps(error),
            {"Content-Type": "application/json", ERROR_TYPE_HEADER: error.get("errorType", "")},
        )


def make_error(message, error_type, stack_trace, request_id=None):
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id or "",
        "stackTrace": stack_trace or [],
    }


def fault_result(exc_info, request_id=None):
    etype, value, tb = exc_info
    frames = traceback.extract_tb(tb)
    for i, frame in enumerate(frames):
        if "/bootstrap.py" not in frame.filename:
            frames = frames[i:]
            break
    else:
        frames = []
    return make_error(str(value), etype.__name__, traceback.format_list(frames), request_id)


def log_error(error):
    description = "[ERROR]"
    if error.get("errorType"):
        description += " " + error["errorType"]
    if error.get("errorMessage"):
        if error.get("errorType"):
            description += ":"
        description += " " + error["errorMessage"]
    lines = [description]
    trace = error.get("stackTrace")
    if trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in trace:
            lines.extend(element.splitlines() if element else [""])
    sys.stdout.write("\r".join(lines) + "\n")


class RequestIdFilter(logging.Filter):
    request_id = None

    def filter(self, record):
        record.aws_request_id = RequestIdFilter.request_id
        return True


class LambdaLoggerHandler(logging.Handler):
    """The root-logger handler of the managed runtime: `[LEVEL]\\t<time>Z\\t<request id>\\t<message>`."""

    def __init__(self):
        super().__init__()
        self.setFormatter(
            logging.Formatter(
                "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
                "%Y-%m-%dT%H:%M:%S",
            )
        )
        self.formatter.converter = time.gmtime
        self.addFilter(RequestIdFilter())

    def emit(self, record):
        sys.stdout.write(self.format(record).replace("\n", "\r") + "\n")


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]


class Client:
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]


class ClientContext:
    __slots__ = ["custom", "env", "client"]


class LambdaContext:
    def __init__(self, request_id, deadline_ms, function_arn, client_context, identity, tenant_id):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = function_arn
        self.tenant_id = tenant_id
        self._deadline_ms = deadline_ms
        self.identity = CognitoIdentity()
        self.identity.cognito_identity_id = (identity or {}).get("cognitoIdentityId")
        self.identity.cognito_identity_pool_id = (identity or {}).get("cognitoIdentityPoolId")
        self.client_context = None
        if client_context is not None:
            self.client_context = ClientContext()
            self.client_context.custom = client_context.get("custom")
            self.client_context.env = client_context.get("env")
            self.client_context.client = None
            client = client_context.get("client")
            if client is not None:
                self.client_context.client = Client()
                for key in Client.__slots__:
                    setattr(self.client_context.client, key, client.get(key))

    def get_remaining_time_in_millis(self):
        return int(max(self._deadline_ms - int(round(time.time() * 1000)), 0))

    def log(self, msg):
        sys.stdout.write(str(msg))


def load_handler(handler):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise FaultException("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, e), trace)
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise FaultException("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function_name, module_name))


def decimal_default(value):
    if isinstance(value, decimal.Decimal):
        return float(value) if value % 1 else int(value)
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


def handle_invocation(client, handler, headers, body):
    request_id = headers.get("lambda-runtime-aws-request-id")
    RequestIdFilter.request_id = request_id
    trace_id = headers.get("lambda-runtime-trace-id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    try:
        client_context = headers.get("lambda-runtime-client-context")
        identity = headers.get("lambda-runtime-cognito-identity")
        context = LambdaContext(
            request_id,
            int(headers.get("lambda-runtime-deadline-ms", "0")),
            headers.get("lambda-runtime-invoked-function-arn"),
            json.loads(client_context) if client_context else None,
            json.loads(identity) if identity else None,
            headers.get("lambda-runtime-aws-tenant-id"),
        )
        try:
            event = json.loads(body) if body else None
        except Exception as e:
            raise FaultException("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e)
        result = handler(event, context)
        try:
            payload = json.dumps(result, default=decimal_default)
        except Exception as e:
            raise FaultException("Runtime.MarshalError", "Unable to marshal response: %s" % e)
        client.post_response(request_id, payload.encode("utf-8"))
    except FaultException as e:
        error = make_error(e.msg, e.exception_type, e.trace, request_id)
        log_error(error)
        client.post_error(request_id, error)
    except Exception:
        error = fault_result(sys.exc_info(), request_id)
        log_error(error)
        client.post_error(request_id, error)


def main():
    sys.stdout = Unbuffered(sys.stdout)
    sys.stderr = Unbuffered(sys.stderr)
    task_root = os.environ.get("LAMBDA_TASK_ROOT", "/var/task")
    version = "python%d.%d" % sys.version_info[:2]
    # sys.path as on Lambda: the function first, then the layers, then the runtime's own folders.
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if p and os.path.abspath(p) != here]
    # LAMBDAFIT_OPT is set only in portable mode, where the layers are not mounted at /opt.
    opt = os.environ.pop("LAMBDAFIT_OPT", "/opt")
    layers = ["%s/python/lib/%s/site-packages" % (opt, version), "%s/python" % opt]
    sys.path[:] = [task_root] + layers + [p for p in rest if p not in layers and p != task_root]
    root = logging.getLogger()
    root.addHandler(LambdaLoggerHandler())
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level in ("DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL", "FATAL"):
        root.setLevel({"WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level))

    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    # lambdafit fit's file-access trace (never set on Lambda): a preload run before the handler's import.
    preload = os.environ.pop("LAMBDAFIT_PYTHON_PRELOAD", "")
    if preload:
        import runpy

        runpy.run_path(preload, run_name="lambdafit_trace")
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except FaultException as e:
        error = make_error(e.msg, e.exception_type, e.trace)
        log_error(error)
        client.post_init_error(error)
        sys.exit(1)
    except Exception:
        error = fault_result(sys.exc_info())
        log_error(error)
        client.post_init_error(error)
        sys.exit(1)
    while True:
        headers, body = client.next()
        handle_invocation(client, handler, headers, body)


if __name__ == "__main__":
    main()
