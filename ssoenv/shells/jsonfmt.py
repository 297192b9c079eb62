"""json: the change set as one JSON object (``null`` = unset), for programs rather than shells."""

from __future__ import annotations

import json

from ssoenv.shells.base import Changes, Dialect, validate_key, validate_value


class Json(Dialect):
    name = "json"

    def quote(self, value: str) -> str:
        return json.dumps(validate_value(value), ensure_ascii=False)

    def set(self, key: str, value: str) -> str:
        return json.dumps({validate_key(key): validate_value(value)}, ensure_ascii=False)

    def unset(self, key: str) -> str:
        return json.dumps({validate_key(key): None})

    def render(self, changes: Changes) -> str:
        obj: dict[str, str | None] = {}
        for key in sorted(changes):
            value = changes[key]
            obj[validate_key(key)] = None if value is None else validate_value(value)
        return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"
