"""pydantic's JSON Schema (draft 2020-12) -> Swagger 2.0 schema objects, and the `definitions` they live in.

Swagger 2.0 knows a subset of JSON Schema draft 4, so the conversion is strict: what it cannot express faithfully
is an error rather than a silent approximation.

- `anyOf: [X, {"type": "null"}]` -> X with `x-nullable: true` (the only `anyOf` Swagger 2.0 can say);
- `const: v` -> `enum: [v]`; numeric `exclusiveMinimum`/`exclusiveMaximum` -> the draft-4 boolean form;
- `$defs` -> `definitions` (the models are rendered with `ref_template="#/definitions/{model}"`);
- a property's `title` (set on the field: `Field(title="Admin ID")`) becomes its display name `x-ms-summary`;
  pydantic's generated titles are not made (`SCHEMA_GENERATOR`), and a model's own title is dropped;
- `x-ms-*` keywords (the fields' designer hints, shared/models/designer.py) are copied as they are;
- `default: null` and `examples` are dropped;
- `additionalProperties` is dropped: request models that forbid extra fields say so in their description,
  and response shapes may grow fields (an additive change for callers).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema

REF_TEMPLATE = "#/definitions/{model}"
Mode = Literal["validation", "serialization"]

# Keywords copied as they are (Swagger 2.0 schema object fields with the same meaning as in JSON Schema).
_KEPT = (
    "type",
    "format",
    "description",
    "default",
    "enum",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
    "required",
)
_DROPPED = ("title", "examples", "additionalProperties")


class ConversionError(ValueError):
    """A schema that Swagger 2.0 cannot express; the message names where it is."""


class SchemaGenerator(GenerateJsonSchema):
    """pydantic's JSON Schema with only the titles a field sets itself: a title is a display name chosen by hand,
    never one made up from the field's name."""

    def field_title_should_be_set(self, schema: object) -> bool:
        return False


def model_schema(model: type[BaseModel], mode: Mode) -> dict[str, Any]:
    """The JSON Schema of `model` as the connector reads it (only hand-set titles, `$ref`s into `definitions`)."""
    return model.model_json_schema(ref_template=REF_TEMPLATE, mode=mode, schema_generator=SchemaGenerator)


def convert(node: Mapping[str, Any], where: str = "#") -> dict[str, Any]:
    """One JSON Schema node -> a Swagger 2.0 schema object."""
    if "$ref" in node:
        extra = set(node) - {"$ref", "description"}
        if extra:
            raise ConversionError(f"{where}: $ref with {sorted(extra)} beside it")
        return {"$ref": node["$ref"]}
    if "anyOf" in node:
        return _nullable(node, where)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROPPED or (key == "default" and value is None):
            continue
        if key == "const":
            out["enum"] = [value]
        elif key in ("exclusiveMinimum", "exclusiveMaximum"):
            bound = "minimum" if key == "exclusiveMinimum" else "maximum"
            out[bound] = value
            out[key] = True
        elif key == "type" and isinstance(value, list):
            kinds = [kind for kind in value if kind != "null"]
            if len(kinds) != 1:
                raise ConversionError(f"{where}: type {value} has no Swagger 2.0 equivalent")
            out["type"] = kinds[0]
            if "null" in value:
                out["x-nullable"] = True
        elif key == "properties":
            out["properties"] = {name: _property(prop, f"{where}/properties/{name}") for name, prop in value.items()}
        elif key == "items":
            out["items"] = convert(value, f"{where}/items")
        elif key in _KEPT or key.startswith("x-ms-"):
            out[key] = value
        elif key == "$defs":
            continue
        else:
            raise ConversionError(f"{where}: keyword {key!r} has no Swagger 2.0 equivalent")
    if "const" in node and "type" not in out:
        out["type"] = _json_type(node["const"], where)
    return out


def _property(node: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A property: its `title` is its display name (a `$ref` takes none: Swagger 2.0 ignores its siblings)."""
    out = convert(node, where)
    if "title" in node:
        out["x-ms-summary"] = node["title"]
    return out


def _nullable(node: Mapping[str, Any], where: str) -> dict[str, Any]:
    branches = node["anyOf"]
    others = [branch for branch in branches if branch != {"type": "null"}]
    if len(others) != 1 or len(others) == len(branches):
        raise ConversionError(f"{where}: anyOf other than [X, null] has no Swagger 2.0 equivalent")
    if "$ref" in others[0]:
        raise ConversionError(f"{where}: a nullable $ref cannot carry x-nullable in Swagger 2.0")
    merged = {**{k: v for k, v in node.items() if k != "anyOf"}, **others[0]}
    out = convert(merged, where)
    out["x-nullable"] = True
    return out


def _json_type(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    raise ConversionError(f"{where}: const {value!r} has no Swagger 2.0 type")


class Definitions:
    """The `definitions` of a document: each pydantic model once, its nested models beside it."""

    def __init__(self) -> None:
        self.schemas: dict[str, dict[str, Any]] = {}

    def add_model(self, model: type[BaseModel], *, mode: Mode, absent: Collection[str] = ()) -> str:
        """Add `model` (and the models it nests) and return a `$ref` to it.

        `mode="serialization"` is a response shape: every property of it and of the models it nests is
        required, because the app always writes every field (null when empty, interface §3), except the
        properties of `model` named in `absent`, which a response may leave out.
        """
        schema = model_schema(model, mode)
        response = mode == "serialization"
        for name, sub in schema.get("$defs", {}).items():
            self._put(name, convert(sub, f"#/definitions/{name}"), all_required=response, absent=())
        name = model.__name__
        self._put(name, convert(schema, f"#/definitions/{name}"), all_required=response, absent=absent)
        return REF_TEMPLATE.format(model=name)

    def add(self, name: str, schema: dict[str, Any]) -> str:
        """Add a schema written by hand (already Swagger 2.0); return a `$ref` to it."""
        self._put(name, schema, all_required=False, absent=())
        return REF_TEMPLATE.format(model=name)

    def _put(self, name: str, schema: dict[str, Any], *, all_required: bool, absent: Collection[str]) -> None:
        if all_required and "properties" in schema:
            unknown = set(absent) - set(schema["properties"])
            if unknown:
                raise ConversionError(f"{name}: no properties {sorted(unknown)}")
            schema["required"] = [prop for prop in schema["properties"] if prop not in absent]
        if name in self.schemas and self.schemas[name] != schema:
            raise ConversionError(f"two different schemas are both named {name!r}")
        self.schemas[name] = schema

    def require_display_names(self) -> None:
        """Every property that is not a `$ref` has a display name (`x-ms-summary`, the field's `title`): a new field
        without one is an error, so the designer never shows a bare field name."""
        missing = [
            f"{name}.{prop}"
            for name, schema in self.schemas.items()
            for prop, spec in schema.get("properties", {}).items()
            if "$ref" not in spec and not spec.get("x-ms-summary")
        ]
        if missing:
            raise ConversionError(
                f"no display name for {', '.join(sorted(missing))}: give each field a title (Field(title=...))"
            )

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return dict(sorted(self.schemas.items()))
