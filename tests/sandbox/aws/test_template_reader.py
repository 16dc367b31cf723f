"""The template interpreter: short tags, parameter binding, intrinsic functions, dependency order, record-only text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sandbox.aws.stack import GATE_CONDITION, record_only_template
from sandbox.aws.template import NO_VALUE, Resolver, TemplateError, bind_parameters, creation_order, load_template
from tests.sandbox.aws.stage import TEMPLATE, parameters_for

PSEUDO = {"AWS::Region": "us-west-2", "AWS::AccountId": "123456789012", "AWS::Partition": "aws"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    return path


def test_short_tags_become_long_form(tmp_path: Path) -> None:
    template = load_template(
        write(
            tmp_path,
            "Resources:\n  A:\n    Type: X\n    Properties:\n"
            "      One: !Ref P\n      Two: !GetAtt B.Arn\n      Three: !Sub 'x-${P}'\n"
            "      Four: !If [C, !Select [0, !Split [',', 'a,b']], !Ref AWS::NoValue]\n",
        )
    )
    props = template["Resources"]["A"]["Properties"]
    assert props["One"] == {"Ref": "P"}
    assert props["Two"] == {"Fn::GetAtt": ["B", "Arn"]}
    assert props["Three"] == {"Fn::Sub": "x-${P}"}
    assert props["Four"] == {"Fn::If": ["C", {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]}, {"Ref": "AWS::NoValue"}]}


def test_unsupported_tag_and_non_template_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="unsupported CloudFormation tag !ImportValue"):
        load_template(write(tmp_path, "Resources:\n  A: !ImportValue x\n"))
    with pytest.raises(TemplateError, match="no Resources mapping"):
        load_template(write(tmp_path, "just: text\n"))


def test_intrinsics_resolve_against_parameters_and_results() -> None:
    resolver = Resolver(
        {"Stage": "dev", "Urls": ["https://a", "https://b"]},
        PSEUDO,
        {"IsDev": {"Fn::Equals": [{"Ref": "Stage"}, "dev"]}, "NotDev": {"Fn::Not": [{"Condition": "IsDev"}]}},
        refs={"Fn": "hedgehog-learn-dev-api"},
        attrs={"Role": {"Arn": "arn:aws:iam::1:role/r"}},
    )
    assert resolver.resolve({"Fn::Sub": "${Fn}:live in ${AWS::Region} ${!Literal}"}) == (
        "hedgehog-learn-dev-api:live in us-west-2 ${Literal}"
    )
    assert resolver.resolve({"Fn::Sub": ["${X}-${Role.Arn}", {"X": {"Ref": "Stage"}}]}) == "dev-arn:aws:iam::1:role/r"
    assert resolver.resolve({"Fn::GetAtt": ["Role", "Arn"]}) == "arn:aws:iam::1:role/r"
    assert resolver.resolve({"Fn::Select": [1, {"Ref": "Urls"}]}) == "https://b"
    assert resolver.resolve({"Fn::Join": [",", {"Ref": "Urls"}]}) == "https://a,https://b"
    assert resolver.resolve({"Fn::If": ["NotDev", "x", "y"]}) == "y"
    assert resolver.resolve({"A": {"Ref": "AWS::NoValue"}, "B": [1, {"Ref": "AWS::NoValue"}]}) == {"B": [1]}
    assert resolver.ref("AWS::NoValue") is NO_VALUE


def test_unresolvable_references_are_named() -> None:
    resolver = Resolver({}, PSEUDO)
    with pytest.raises(TemplateError, match="Ref to Missing"):
        resolver.resolve({"Ref": "Missing"})
    with pytest.raises(TemplateError, match=r"GetAtt Role\.Arn"):
        resolver.resolve({"Fn::GetAtt": "Role.Arn"})
    with pytest.raises(TemplateError, match="outside a list of 1"):
        resolver.resolve({"Fn::Select": [3, ["a"]]})
    with pytest.raises(TemplateError, match="unknown condition Nope"):
        resolver.condition("Nope")


def test_bind_parameters_splits_lists_and_applies_defaults() -> None:
    bound = bind_parameters(load_template(TEMPLATE), parameters_for("dev"))
    assert bound["CallbackUrls"] == ["http://localhost:8401/auth/callback", "http://localhost:8400/auth/callback"]
    assert bound["AlarmEmail"] == ""
    assert bound["Stage"] == "dev"


def test_bind_parameters_reports_every_problem_without_values() -> None:
    given = parameters_for("dev", AuthCookieSecret="tiny-secret", Stage="Not Valid", Extra="x")
    del given["CodeS3Key"]
    with pytest.raises(TemplateError) as caught:
        bind_parameters(load_template(TEMPLATE), given)
    message = str(caught.value)
    for expected in ("Extra: not a template parameter", "CodeS3Key: required", "AuthCookieSecret: shorter", "Stage:"):
        assert expected in message
    assert "tiny-secret" not in message and "Not Valid" not in message


def test_creation_order_puts_dependencies_first() -> None:
    order = creation_order(load_template(TEMPLATE))
    before = {name: index for index, name in enumerate(order)}
    assert before["ApiFunctionRole"] < before["ApiFunction"] < before["ApiFunctionVersion"] < before["ApiFunctionAlias"]
    assert before["ApiFunctionAlias"] < before["ApiIntegration"] < before["RouteGetAuthLogin"]
    assert max(before[t] for t in ("UsersTable", "ProgressTable")) < before["ApiFunctionRole"]
    assert before["LambdaErrorsAlarm"] < before["ApiRedAlarm"] < before["Dashboard"]


def test_creation_order_rejects_cycles() -> None:
    template = {"Resources": {"A": {"Properties": {"X": {"Ref": "B"}}}, "B": {"Properties": {"Y": {"Ref": "A"}}}}}
    with pytest.raises(TemplateError, match="circular"):
        creation_order(template)


def test_record_only_template_gates_every_resource_and_output() -> None:
    text = TEMPLATE.read_text()
    recorded = yaml.load(record_only_template(text), Loader=yaml.BaseLoader)  # tags kept as plain strings
    original = load_template(TEMPLATE)
    assert set(recorded["Resources"]) == set(original["Resources"])
    assert {r["Condition"] for r in recorded["Resources"].values()} == {GATE_CONDITION}
    assert {o["Condition"] for o in recorded["Outputs"].values()} == {GATE_CONDITION}
    assert recorded["Resources"]["ApiFunction"]["Properties"]["MemorySize"] == "512"


def test_record_only_template_can_drop_declared_sizing() -> None:
    recorded = yaml.load(record_only_template(TEMPLATE.read_text(), drop_declared_sizing=True), Loader=yaml.BaseLoader)
    function = recorded["Resources"]["ApiFunction"]["Properties"]
    assert "MemorySize" not in function and "Timeout" not in function
    assert function["Runtime"] == "python3.12"
