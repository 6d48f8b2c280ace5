"""Route templates as the Functions host reads them (ASP.NET Core routing, the parts an HTTP function uses).

`users/{user_id}`: a parameter takes one path segment; `{id?}` is optional, `{page=1}` has a default, `{*rest}` takes
the rest of the path; `{id:int}`, `{name:alpha:maxlength(8)}` add constraints; literals match case-insensitively;
`{{` and `}}` are literal braces. When several templates match a path, literal segments beat parameters, constrained
parameters beat plain ones, and plain ones beat optional and catch-all ones.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote

Constraint = Callable[[str], bool]


class RouteError(ValueError):
    """A route template that does not parse."""


def _integer(low: int, high: int) -> Constraint:
    def check(value: str) -> bool:
        return re.fullmatch(r"[+-]?\d+", value) is not None and low <= int(value) <= high

    return check


def _is_number(value: str) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _is_guid(value: str) -> bool:
    try:
        uuid.UUID(value.strip("{}()"))
    except ValueError:
        return False
    return True


def _is_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


_SIMPLE: dict[str, Constraint] = {
    "int": _integer(-(2**31), 2**31 - 1),
    "long": _integer(-(2**63), 2**63 - 1),
    "bool": lambda v: v.lower() in ("true", "false"),
    "alpha": lambda v: re.fullmatch(r"[A-Za-z]+", v) is not None,
    "guid": _is_guid,
    "datetime": _is_datetime,
    "decimal": _is_number,
    "double": _is_number,
    "float": _is_number,
    "required": bool,
}


def _numbers(name: str, args: str, count: tuple[int, ...]) -> list[int]:
    parts = [a.strip() for a in args.split(",")] if args else []
    if len(parts) not in count or not all(re.fullmatch(r"-?\d+", p) for p in parts):
        raise RouteError(f"constraint {name}({args}) takes {' or '.join(map(str, count))} whole numbers")
    return [int(p) for p in parts]


def _constraint(name: str, args: str | None) -> Constraint:
    key = name.lower()
    if args is None:
        if key in _SIMPLE:
            return _SIMPLE[key]
        raise RouteError(f"unknown route constraint {name!r}")
    if key == "regex":
        pattern = re.compile(args, re.IGNORECASE)
        return lambda v: pattern.search(v) is not None
    if key == "length":
        bounds = _numbers(name, args, (1, 2))
        low, high = bounds[0], bounds[-1]
        return lambda v: low <= len(v) <= high
    if key in ("minlength", "maxlength", "min", "max"):
        (limit,) = _numbers(name, args, (1,))
        checks: dict[str, Constraint] = {
            "minlength": lambda v: len(v) >= limit,
            "maxlength": lambda v: len(v) <= limit,
            "min": lambda v: _integer(limit, 2**63)(v),
            "max": lambda v: _integer(-(2**63), limit)(v),
        }
        return checks[key]
    if key == "range":
        low, high = _numbers(name, args, (2,))
        return _integer(low, high)
    raise RouteError(f"unknown route constraint {name}({args})")


@dataclass(frozen=True)
class Parameter:
    name: str
    optional: bool = False
    default: str | None = None
    catch_all: bool = False
    constraints: tuple[Constraint, ...] = field(default=(), compare=False)

    def accepts(self, value: str) -> bool:
        return all(check(value) for check in self.constraints)


_PARAM = re.compile(r"(?P<star>\*{1,2})?(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<rest>.*)", re.DOTALL)
_CONSTRAINT = re.compile(r":(?P<name>[A-Za-z]+)")


def _parameter(spec: str, template: str) -> Parameter:
    match = _PARAM.fullmatch(spec)
    if match is None:
        raise RouteError(f"route {template!r}: bad parameter {{{spec}}}")
    rest = match["rest"]
    constraints: list[Constraint] = []
    while rest.startswith(":"):
        head = _CONSTRAINT.match(rest)
        if head is None:
            raise RouteError(f"route {template!r}: bad constraint in {{{spec}}}")
        rest = rest[head.end() :]
        args = None
        if rest.startswith("("):
            depth, end = 0, -1
            for i, char in enumerate(rest):
                depth += {"(": 1, ")": -1}.get(char, 0)
                if depth == 0:
                    end = i
                    break
            if end < 0:
                raise RouteError(f"route {template!r}: unclosed constraint in {{{spec}}}")
            args, rest = rest[1:end], rest[end + 1 :]
        constraints.append(_constraint(head["name"], args))
    optional, default = False, None
    if rest == "?":
        optional = True
    elif rest.startswith("="):
        default = rest[1:]
    elif rest:
        raise RouteError(f"route {template!r}: bad parameter {{{spec}}}")
    return Parameter(match["name"], optional, default, bool(match["star"]), tuple(constraints))


def _tokens(segment: str, template: str) -> list[str | Parameter]:
    """A segment's literal text and parameters, in order (literals as str)."""
    tokens: list[str | Parameter] = []
    literal, i = "", 0
    while i < len(segment):
        pair = segment[i : i + 2]
        if pair in ("{{", "}}"):
            literal, i = literal + pair[0], i + 2
        elif segment[i] == "{":
            end, depth, j = -1, 0, i
            while j < len(segment):
                if segment[j : j + 2] in ("{{", "}}") and depth > 0:
                    j += 2
                    continue
                depth += {"{": 1, "}": -1}.get(segment[j], 0)
                if depth == 0:
                    end = j
                    break
                j += 1
            if end < 0:
                raise RouteError(f"route {template!r}: unclosed '{{'")
            if literal:
                tokens.append(literal)
                literal = ""
            spec = segment[i + 1 : end].replace("{{", "{").replace("}}", "}")
            tokens.append(_parameter(spec, template))
            i = end + 1
        elif segment[i] == "}":
            raise RouteError(f"route {template!r}: unmatched '}}'")
        else:
            literal, i = literal + segment[i], i + 1
    if literal:
        tokens.append(literal)
    return tokens


# Per-segment rank: lower is more specific (ASP.NET Core's route precedence, simplified).
_LITERAL, _COMPLEX, _CONSTRAINED, _PLAIN, _OPTIONAL, _CATCH_ALL = range(6)


@dataclass(frozen=True)
class RouteTemplate:
    """A compiled route template; `match` gives the route parameters (percent-decoded) or None."""

    template: str
    parameters: tuple[Parameter, ...]
    precedence: tuple[int, ...]
    _pattern: re.Pattern[str] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, template: str) -> RouteTemplate:
        text = template.strip().removeprefix("~").strip("/")
        segments = text.split("/") if text else []
        regex = ""
        parameters: list[Parameter] = []
        precedence: list[int] = []
        for position, segment in enumerate(segments):
            if not segment:
                raise RouteError(f"route {template!r}: empty segment")
            tokens = _tokens(segment, template)
            last = position == len(segments) - 1
            params = [t for t in tokens if isinstance(t, Parameter)]
            if len(tokens) == 1 and params:
                param = params[0]
                if param.catch_all and not last:
                    raise RouteError(f"route {template!r}: a catch-all parameter must be the last segment")
                group = f"(?P<p{len(parameters)}>{'.*' if param.catch_all else '[^/]+'})"
                if param.catch_all or param.optional or param.default is not None:
                    regex += f"(?:/{group})?"
                    precedence.append(_CATCH_ALL if param.catch_all else _OPTIONAL)
                else:
                    regex += "/" + group
                    precedence.append(_CONSTRAINED if param.constraints else _PLAIN)
                parameters.append(param)
                continue
            regex += "/"
            for token in tokens:
                if isinstance(token, str):
                    regex += re.escape(token)
                    continue
                if token.catch_all or token.optional:
                    raise RouteError(f"route {template!r}: {{{token.name}}} must be a whole segment")
                regex += f"(?P<p{len(parameters)}>[^/]+?)"
                parameters.append(token)
            precedence.append(_COMPLEX if params else _LITERAL)
        names = [p.name.lower() for p in parameters]
        if len(set(names)) != len(names):
            raise RouteError(f"route {template!r}: a parameter name is repeated")
        pattern = re.compile(regex + "/?", re.IGNORECASE | re.DOTALL)
        return cls(text, tuple(parameters), tuple(precedence), pattern)

    def match(self, path: str) -> dict[str, str] | None:
        """Match a path relative to the route prefix (`users/42`, leading slash optional)."""
        found = self._pattern.fullmatch("/" + path.lstrip("/") if path.strip("/") else "")
        if found is None:
            return None
        values: dict[str, str] = {}
        for i, param in enumerate(self.parameters):
            raw = found[f"p{i}"]
            if raw is None:
                if param.default is not None:
                    values[param.name] = param.default
                continue
            value = unquote(raw)
            if not param.accepts(value):
                return None
            values[param.name] = value
        return values
