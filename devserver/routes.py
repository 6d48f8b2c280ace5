"""Route templates as the Functions host reads them, in the forms the app's functions use: literal segments and
`{name}` parameters, a parameter being one whole segment (`triggers/{name}/subscriptions/{subscription_id}`).

Literals match case-insensitively, a trailing slash is ignored, route values are percent-decoded. When two templates
match a path, the literal segment beats the parameter (ASP.NET Core's precedence: `items/special` before
`items/{id}`). The other forms ASP.NET Core reads (constraints `{id:int}`, optional `{id?}`, defaults `{page=1}`,
catch-all `{*rest}`, a parameter inside a segment `{name}.{ext}`) no function of the app has: they are refused, and
a function declaring one is listed as unsupported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

_PARAMETER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_LITERAL = re.compile(r"[^{}]+")
LITERAL, PARAMETER = 0, 1  # a segment's precedence: lower is more specific


class RouteError(ValueError):
    """A route template that does not parse, or uses a form the devserver does not serve."""


@dataclass(frozen=True)
class RouteTemplate:
    """A compiled route template; `match` gives the route parameters (percent-decoded) or None."""

    template: str  # without the leading and trailing `/`
    parameters: tuple[str, ...]
    precedence: tuple[int, ...]  # per segment, LITERAL or PARAMETER: sorting by it puts literals first
    _pattern: re.Pattern[str] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, template: str) -> RouteTemplate:
        text = template.strip().strip("/")
        regex = ""
        parameters: list[str] = []
        precedence: list[int] = []
        for segment in text.split("/") if text else []:
            parameter = _PARAMETER.fullmatch(segment)
            if parameter is not None:
                regex += f"/(?P<p{len(parameters)}>[^/]+)"
                parameters.append(parameter[1])
                precedence.append(PARAMETER)
            elif _LITERAL.fullmatch(segment):
                regex += "/" + re.escape(segment)
                precedence.append(LITERAL)
            else:
                what = f"segment {segment!r}" if segment else "an empty segment"
                raise RouteError(f"route {template!r}: {what} is neither a literal nor a {{name}} parameter")
        names = [name.lower() for name in parameters]
        if len(set(names)) != len(names):
            raise RouteError(f"route {template!r}: a parameter name is repeated")
        return cls(text, tuple(parameters), tuple(precedence), re.compile(regex + "/?", re.IGNORECASE | re.DOTALL))

    def match(self, path: str) -> dict[str, str] | None:
        """Match a path relative to the route prefix (`users/42`, leading slash optional)."""
        found = self._pattern.fullmatch("/" + path.lstrip("/") if path.strip("/") else "")
        if found is None:
            return None
        return {name: unquote(found[f"p{i}"]) for i, name in enumerate(self.parameters)}
