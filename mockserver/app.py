"""Wiring: one Connexion AsyncApp per vendor, each behind its gate, all sharing one world."""
from __future__ import annotations

import functools
import json
import logging
import os
import re
from pathlib import Path

import connexion
import connexion.spec
import connexion.validators
import yaml
from connexion.datastructures import MediaTypeDict
from connexion.json_schema import Draft4RequestValidator
from connexion.utils import is_null, is_nullable
from connexion.validators import JSONRequestBodyValidator, ParameterValidator
from jsonschema import Draft4Validator, ValidationError
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionResponse
from connexion.middleware.main import ConnexionMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException

from .core_bridge import CoreError
from .gate import CONTROL_PREFIX, Gate
from .vendors import VENDORS
from .vendors.base import Vendor, VendorError
from .world import World

SPEC_DIR = Path(__file__).resolve().parent.parent / "openapi"
if not SPEC_DIR.is_dir():  # installed as a wheel: specs are shipped inside the package
    SPEC_DIR = Path(__file__).resolve().parent / "openapi"

log = logging.getLogger("mockserver")

# Credentials are checked by the gate in each vendor's own way (signatures, keys bound to tenants), so
# Connexion's security middleware is left out; the specs still declare the schemes for their readers.
MIDDLEWARES = [m for m in ConnexionMiddleware.default_middlewares if m is not SecurityMiddleware]


# Specs are validated by the test suite (tests/server/test_foundation.py); validating them again at every
# start would cost more than the rest of start-up, so Connexion's own check is skipped.
connexion.spec.OpenAPISpecification._validate_spec = classmethod(lambda cls, spec: None)
_FORMATS = Draft4Validator.FORMAT_CHECKER


class _Validators:
    """One JSON-schema validator per schema object, kept for the app's life.

    Connexion builds a new validator for every parameter and every body of every request (and deep-copies
    each parameter's spec first); the schemas never change once the app is built, so that work is done
    once. Keyed by the schema object itself (identity), bounded in case an operation ever hands out fresh
    dicts. Validation results and messages are Connexion's own, unchanged."""

    def __init__(self, make, limit: int = 4096):
        self.make, self.limit, self.cache = make, limit, {}

    def __call__(self, schema):
        entry = self.cache.get(id(schema))
        if entry is None or entry[0] is not schema:
            if len(self.cache) >= self.limit:
                self.cache.clear()
            entry = self.cache[id(schema)] = (schema, self.make(schema))
        return entry[1]


_param_validators = _Validators(lambda param: Draft4Validator(param.get("schema", param), format_checker=_FORMATS))
_body_validators = _Validators(lambda schema: Draft4RequestValidator(schema, format_checker=_FORMATS))


class CachedParameterValidator(ParameterValidator):
    @staticmethod
    def validate_parameter(parameter_type, value, param, param_name=None):
        if is_nullable(param) and is_null(value):
            return None
        if value is not None:
            try:
                _param_validators(param).validate(value)
            except ValidationError as exception:
                return str(exception)
        elif param.get("required"):
            return f"Missing {parameter_type} parameter '{param['name']}'"
        return None


class CachedJSONBodyValidator(JSONRequestBodyValidator):
    @property
    def _validator(self):
        return _body_validators(self._schema)


VALIDATOR_MAP = {**connexion.validators.VALIDATOR_MAP, "parameter": CachedParameterValidator,
                 "body": MediaTypeDict({**connexion.validators.VALIDATOR_MAP["body"], "*/*json": CachedJSONBodyValidator})}


@functools.lru_cache(maxsize=None)
def _spec_text(path: str, mtime: float, size: int) -> str:
    """A spec as JSON text. Parsing YAML costs a third of a second for the four specs, so the JSON is
    kept in ``openapi/.cache/`` (keyed by the file's mtime and size) and reused by later starts."""
    cache = Path(path).parent / ".cache" / f"{Path(path).stem}-{int(mtime * 1e6)}-{size}.json"
    try:
        return cache.read_text(encoding="utf-8")
    except OSError:
        pass
    with open(path, encoding="utf-8") as fh:
        text = json.dumps(yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    try:
        cache.parent.mkdir(exist_ok=True)
        for old in cache.parent.glob(f"{Path(path).stem}-*.json"):
            old.unlink(missing_ok=True)
        tmp = cache.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:  # a read-only install: parse every time
        pass
    return text


def load_spec(name: str) -> dict:
    """A spec as a fresh dict (parsed once per process, cached as JSON across processes)."""
    path = SPEC_DIR / name
    st = path.stat()
    return json.loads(_spec_text(str(path), st.st_mtime, st.st_size))


def snake(name: str) -> str:
    """``PostTasks`` -> ``post_tasks``; ``getHealth`` -> ``get_health``."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return name.replace("-", "_").lower()


class ModuleResolver(Resolver):
    """operationId (the vendor's own operation name) -> snake_case function in one module."""

    def __init__(self, module: str):
        super().__init__()
        self.module = module

    def resolve_operation_id(self, operation):
        return f"{self.module}.{snake(operation.operation_id)}"

    def resolve_function_from_operation_id(self, operation_id):
        # Connexion resolves every operation once per middleware layer (about 750 look-ups at start).
        found = _FUNCTIONS.get(operation_id)
        if found is None:
            found = _FUNCTIONS[operation_id] = super().resolve_function_from_operation_id(operation_id)
        return found


_FUNCTIONS: dict[str, object] = {}


def _control_error(status: int, message: str, details=None) -> VendorError:
    body = {"error": message}
    if details is not None:
        body["details"] = details
    return VendorError(status, body)


def _vendor_for(vendor: Vendor, path: str):
    return None if path.startswith(CONTROL_PREFIX) else vendor


def _response(vendor: Vendor | None, err: VendorError) -> ConnexionResponse:
    headers = dict(err.headers)
    return ConnexionResponse(status_code=err.status, body=json.dumps(err.body), mimetype="application/json", headers=headers)


def _problem_detail(exc: ProblemException) -> str:
    detail = exc.detail or exc.title or "Bad request"
    return str(detail)


def _field_from_detail(detail: str) -> str | None:
    """Connexion's messages name the field as ``'x' is a required property`` or ``... - 'a.b'``."""
    m = re.search(r"'([^']+)' is a required property", detail)
    if m:
        return m.group(1)
    m = re.search(r" - '([^']+)'$", detail)
    if m:
        return m.group(1)
    return None


def build_app(vendor: Vendor, world: World):
    app = connexion.AsyncApp(__name__, specification_dir=str(SPEC_DIR), middlewares=MIDDLEWARES,
                             validator_map=VALIDATOR_MAP)
    app.add_api(load_spec(vendor.spec), resolver=ModuleResolver(vendor.handlers), pythonic_params=False,
                validate_responses=world.settings.strict, strict_validation=world.settings.strict)
    app.add_api(load_spec("control.yaml"), resolver=ModuleResolver("mockserver.control.handlers"), base_path=CONTROL_PREFIX,
                name="control", validate_responses=world.settings.strict)

    def on_vendor_error(request, exc: VendorError):
        return _response(None, exc)

    def on_problem(request, exc: ProblemException):
        path = request.url.path
        detail = _problem_detail(exc)
        if path.startswith(CONTROL_PREFIX):
            return _response(None, _control_error(exc.status, detail))
        if exc.status == 404:
            err = vendor.not_found_route(request.method, path)
        elif exc.status == 405:
            err = vendor.method_not_allowed(request.method, path)
        elif exc.status in (400, 415, 422):
            err = vendor.bad_request(detail, _field_from_detail(detail))
            err.status = 415 if exc.status == 415 else err.status
        elif exc.status in (401, 403):
            err = vendor.error(exc.status, None, detail)
        else:
            log.error("problem %s on %s: %s", exc.status, path, detail)
            err = vendor.error(exc.status if exc.status < 500 else 500, None, detail)
        return _response(vendor, err)

    def on_http(request, exc: HTTPException):
        response = on_problem(request, ProblemException(status=exc.status_code, title=str(exc.detail), detail=str(exc.detail)))
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # RFC 9110: list every method the spec declares on the path
            from .control.operations import allowed_methods

            headers["Allow"] = ", ".join(allowed_methods(vendor, request.url.path)) or headers.get("Allow", "")
        if headers:
            response.headers = {**(response.headers or {}), **headers}
        return response

    def on_core(request, exc: Exception):
        path = request.url.path
        if path.startswith(CONTROL_PREFIX):
            return _response(None, _control_error(400, str(exc)))
        return _response(vendor, vendor.core_error(exc))

    def on_crash(request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _response(vendor, vendor.error(500, None, "Internal error in the mock server"))

    app.add_error_handler(VendorError, on_vendor_error)
    app.add_error_handler(ProblemException, on_problem)
    app.add_error_handler(HTTPException, on_http)
    app.add_error_handler(CoreError, on_core)
    app.add_error_handler(Exception, on_crash)
    return Gate(app, vendor, world)


def build_apps(world: World, vendors: list[str] | None = None) -> dict[str, Gate]:
    from .control import faults, journal

    gates = {name: build_app(VENDORS[name], world) for name in (vendors or list(VENDORS))}
    faults.install(world, gates.values())  # before: may answer instead of the handler
    journal.install(world, gates.values())  # after: records every vendor request and answer
    return gates
