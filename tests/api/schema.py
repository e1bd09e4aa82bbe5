"""A small JSON Schema checker for the API's OpenAPI document: the keywords it uses (``$ref``,
``type`` with ``null``, ``properties``, ``required``, ``additionalProperties``, ``items``,
``enum``). No dependency; a keyword it does not know fails loudly, so the document cannot grow
a rule the tests silently skip."""

from typing import Any

KNOWN = {
    "$ref", "type", "properties", "required", "additionalProperties", "items", "enum",
    "format", "description", "contentMediaType", "minimum",
}  # fmt: skip
TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def errors(
    document: dict[str, Any], schema: dict[str, Any], value: object, at: str = "$"
) -> list[str]:
    """Where ``value`` breaks ``schema`` (``$ref``s resolved in ``document``); ``[]``: valid."""
    unknown = set(schema) - KNOWN
    assert not unknown, f"schema keywords the checker does not know: {unknown}"
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        return errors(document, document["components"]["schemas"][name], value, at)
    found: list[str] = []
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        ok = any(
            isinstance(value, TYPES[n])
            and not (n in {"integer", "number"} and isinstance(value, bool))
            for n in names
        )
        if not ok:
            return [f"{at}: {value!r} is not {names}"]
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{at}: {value!r} not in {schema['enum']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        found += [f"{at}: missing {k!r}" for k in schema.get("required", []) if k not in value]
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                found += errors(document, properties[key], item, f"{at}.{key}")
            elif extra is False:
                found.append(f"{at}: unexpected {key!r}")
            elif isinstance(extra, dict):
                found += errors(document, extra, item, f"{at}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += errors(document, schema["items"], item, f"{at}[{index}]")
    return found


def response_schema(
    document: dict[str, Any], template: str, method: str, status: int
) -> dict[str, Any]:
    """The schema the document promises for this answer (fails if it promises none)."""
    operation = document["paths"][template][method.lower()]
    answer = operation["responses"].get(str(status))
    assert answer is not None, f"{method} {template} is not documented to answer {status}"
    schema: dict[str, Any] = answer["content"]["application/json"]["schema"]
    return schema


def check(document: dict[str, Any], template: str, method: str, status: int, body: object) -> None:
    problems = errors(document, response_schema(document, template, method, status), body)
    assert not problems, f"{method} {template} {status}: " + "; ".join(problems[:10])
