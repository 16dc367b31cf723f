"""Provision the HTTP API control plane: api with CORS, the Lambda integration, routes, the `$default` stage.

Control plane only: the sandbox's gateway adapter serves the requests, reading routes and CORS from the same
template (SPEC §3.2, §6). moto's CloudFormation skips every ApiGatewayV2 resource, hence direct calls.
"""

from __future__ import annotations

from typing import Any

from sandbox.aws.context import Context, Created

__all__ = ["HANDLERS"]


def create_api(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    apigw = ctx.client("apigatewayv2")
    name = props["Name"]
    pages = apigw.get_paginator("get_apis").paginate()  # a shared moto may hold many APIs
    existing = next((api for page in pages for api in page["Items"] if api["Name"] == name), None)
    settings = {"Name": name, "CorsConfiguration": props.get("CorsConfiguration", {})}
    if existing is None:
        api = apigw.create_api(ProtocolType=props["ProtocolType"], **settings)
    else:
        api = apigw.update_api(ApiId=existing["ApiId"], **settings)
    return Created(ref=api["ApiId"], attrs={"ApiId": api["ApiId"], "ApiEndpoint": api["ApiEndpoint"]})


def create_integration(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    apigw = ctx.client("apigatewayv2")
    api_id = props["ApiId"]
    request = {key: value for key, value in props.items() if key != "ApiId"}
    existing = next(
        (
            item
            for item in apigw.get_integrations(ApiId=api_id)["Items"]
            if item.get("IntegrationUri") == request.get("IntegrationUri")
        ),
        None,
    )
    if existing is None:
        integration_id = apigw.create_integration(ApiId=api_id, **request)["IntegrationId"]
    else:
        integration_id = existing["IntegrationId"]
        apigw.update_integration(ApiId=api_id, IntegrationId=integration_id, **request)
    return Created(ref=integration_id)


def create_route(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    apigw = ctx.client("apigatewayv2")
    api_id = props["ApiId"]
    existing = next(
        (item for item in apigw.get_routes(ApiId=api_id)["Items"] if item["RouteKey"] == props["RouteKey"]), None
    )
    if existing is None:
        route_id = apigw.create_route(ApiId=api_id, RouteKey=props["RouteKey"], Target=props["Target"])["RouteId"]
    else:
        route_id = existing["RouteId"]
        apigw.update_route(ApiId=api_id, RouteId=route_id, Target=props["Target"])
    return Created(ref=route_id)


def create_stage(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    apigw = ctx.client("apigatewayv2")
    api_id, name = props["ApiId"], props["StageName"]
    settings = {key: props[key] for key in ("AutoDeploy", "DefaultRouteSettings") if key in props}
    # moto has no UpdateStage, so a re-run replaces the stage to converge on the declared settings.
    if any(stage["StageName"] == name for stage in apigw.get_stages(ApiId=api_id)["Items"]):
        apigw.delete_stage(ApiId=api_id, StageName=name)
    apigw.create_stage(ApiId=api_id, StageName=name, **settings)
    return Created(ref=name)


HANDLERS = {
    "AWS::ApiGatewayV2::Api": create_api,
    "AWS::ApiGatewayV2::Integration": create_integration,
    "AWS::ApiGatewayV2::Route": create_route,
    "AWS::ApiGatewayV2::Stage": create_stage,
}
