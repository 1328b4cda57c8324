"""The machine-readable Bot API spec, used to check method names and parameters.

Checking against the published spec (rather than a hand-kept list) means a typo in a method or
a forgotten required parameter fails in tests exactly as it would against Telegram, and the fake
keeps up with new API versions by updating one JSON file.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import ApiError

SPEC_ENV_VAR = "TELEGRAM_API_SPEC"

_SCALAR_TYPES = frozenset({"String", "Integer", "Float", "Boolean", "True", "InputFile"})
_INT_RE = re.compile(r"-?\d+")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request (the bytes a client uploaded)."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes

    def __repr__(self) -> str:
        return f"UploadedFile({self.name!r}, {self.filename!r}, {len(self.data)} bytes)"


@dataclass(frozen=True)
class FieldSpec:
    """One parameter of a method (or field of a type) with its allowed types."""

    name: str
    types: tuple[str, ...]
    required: bool

    @property
    def is_string_only(self) -> bool:
        return all(t in ("String", "InputFile") for t in self.types)

    @property
    def is_structured(self) -> bool:
        """True when the value is a JSON object/array (sent as a JSON string in forms)."""
        return any(t not in _SCALAR_TYPES for t in self.types)


@dataclass(frozen=True)
class MethodSpec:
    """A Bot API method: canonical name, parameters and return types."""

    name: str
    fields: dict[str, FieldSpec]
    returns: tuple[str, ...]

    @property
    def required(self) -> list[str]:
        return [f.name for f in self.fields.values() if f.required]


class ApiSpec:
    """Lookup of methods (case-insensitive, like Telegram) and types from ``api.min.json``."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.version: str = str(raw.get("version", "unknown"))
        self._methods: dict[str, MethodSpec] = {}
        for name, body in raw["methods"].items():
            fields = {f["name"]: _field(f) for f in body.get("fields", [])}
            returns = tuple(body.get("returns", []))
            self._methods[name.lower()] = MethodSpec(name, fields, returns)
        self._types: dict[str, dict[str, FieldSpec]] = {
            name: {f["name"]: _field(f) for f in body.get("fields", [])}
            for name, body in raw.get("types", {}).items()
        }

    def method(self, name: str) -> MethodSpec | None:
        return self._methods.get(name.lower())

    def type_fields(self, name: str) -> dict[str, FieldSpec]:
        return self._types.get(name, {})

    def coerce(self, method: MethodSpec, params: dict[str, Any], *, from_form: bool) -> None:
        """Decode parameter values in place according to their spec types.

        Form-encoded clients (aiogram, PTB) send every value as a string, with objects and
        arrays JSON-encoded; JSON clients may still send nested objects as JSON strings.
        """
        for name, value in list(params.items()):
            field = method.fields.get(name)
            if field is not None:
                params[name] = _coerce_value(field, value, from_form=from_form)

    def check_required(self, method: MethodSpec, params: dict[str, Any]) -> None:
        """Raise Telegram's 400 for the first missing required parameter."""
        for name in method.required:
            if params.get(name) in (None, ""):
                if name == "text":
                    raise ApiError.bad_request("message text is empty")
                raise ApiError.bad_request(f"{name} is required")


def _field(raw: dict[str, Any]) -> FieldSpec:
    return FieldSpec(raw["name"], tuple(raw.get("types", [])), bool(raw.get("required")))


def _coerce_value(field: FieldSpec, value: Any, *, from_form: bool) -> Any:
    if not isinstance(value, str) or field.is_string_only:
        return value
    types = field.types
    if "String" in types:
        if "Integer" in types and _INT_RE.fullmatch(value):
            return int(value)
        return value
    if "Integer" in types and _INT_RE.fullmatch(value):
        return int(value)
    if "Float" in types:
        try:
            return float(value)
        except ValueError:
            pass
    if "Boolean" in types or "True" in types:
        lowered = value.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
    if field.is_structured or from_form:
        try:
            return json.loads(value)
        except ValueError:
            if field.name == "reply_markup":
                detail = "can't parse reply keyboard markup JSON object"
                raise ApiError.bad_request(detail) from None
            raise ApiError.bad_request(f"can't parse {field.name} JSON object") from None
    return value


def default_spec_path() -> Path:
    """The project's own copy (MIT, see ``telegram_api_spec/SOURCE.md``), or ``$TELEGRAM_API_SPEC``
    to try a newer one."""
    from_env = os.environ.get(SPEC_ENV_VAR)
    if from_env:
        return Path(from_env)
    return Path(__file__).resolve().parent / "telegram_api_spec" / "api.min.json"


@lru_cache(maxsize=4)
def load_spec(path: Path | None = None) -> ApiSpec:
    """Load (and cache) the spec; a missing file is a setup error, reported clearly."""
    spec_path = path or default_spec_path()
    if not spec_path.is_file():
        raise FileNotFoundError(
            f"Telegram Bot API spec not found at {spec_path}; "
            f"restore tests/fake_bot_api/telegram_api_spec/ or set {SPEC_ENV_VAR}"
        )
    with spec_path.open(encoding="utf-8") as handle:
        return ApiSpec(json.load(handle))
