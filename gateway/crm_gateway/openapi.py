"""The OpenAPI document, generated from the declared endpoints (apispec + marshmallow)."""
from aiohttp import web
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from crm_gateway import __doc__ as description
from crm_gateway.api import PUBLIC, SIGNED, Endpoint, openapi_path

BASE_PATH = "/api/v1"
ERROR_RESPONSE = {"description": "`{error, message, details: {field: [problems]}}`"}
ENDPOINTS = web.AppKey("endpoints", list)


def _operation(endpoint: Endpoint, parameters: list[str]) -> dict:
    operation = {
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
        "parameters": [
            {"in": "path", "name": name, "required": True,
             "schema": {"type": "integer" if name.endswith("_id") else "string"}}
            for name in parameters
        ],
        "responses": {"200": {"description": "OK"}, "400": ERROR_RESPONSE, **endpoint.responses},
    }
    if endpoint.roles == PUBLIC:
        operation["security"] = []
    elif endpoint.roles == SIGNED:
        operation["security"] = []
        operation["responses"]["403"] = ERROR_RESPONSE
    else:
        operation["description"] = "Roles: " + ", ".join(endpoint.roles)
        operation["responses"].update({"401": ERROR_RESPONSE, "403": ERROR_RESPONSE})
    if endpoint.query is not None:
        operation["parameters"].append({"in": "query", "schema": endpoint.query})
    if endpoint.body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": endpoint.body}}}
    return operation


def openapi_document(app: web.Application) -> dict:
    spec = APISpec(title="CRM", version="1.0.0", openapi_version="3.0.3",
                   info={"description": description}, plugins=[MarshmallowPlugin()])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.options["security"] = [{"bearer": []}]
    by_path: dict[str, dict] = {}
    for endpoint in app[ENDPOINTS]:
        path, parameters = openapi_path(BASE_PATH + endpoint.path)
        by_path.setdefault(path, {})[endpoint.method.lower()] = _operation(endpoint, parameters)
    for path, operations in by_path.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document
