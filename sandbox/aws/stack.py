"""Register the CloudFormation stack `hedgehog-learn-<stage>` in moto without letting moto create anything.

Checks read `describe_stacks` (status) and `get_template` (what was declared, e.g. MemorySize/Timeout), so the stack
must exist with the real template text. moto's CloudFormation would re-create (and half-skip) the resources,
so the submitted text is the template with every resource and output gated behind a condition that is always false
(`SandboxProvisionedDirectly`). moto honours resource conditions, reports CREATE_COMPLETE, and `get_template` returns
the declared properties verbatim, comments included. The resources themselves were created by the provisioner.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from sandbox.aws.context import Context

__all__ = ["GATE_CONDITION", "NO_ECHO_MASK", "record_only_template", "register_stack"]

GATE_CONDITION = "SandboxProvisionedDirectly"
NO_ECHO_MASK = "****"
_GATE_DEFINITION = (
    f"  # Added by the sandbox: the provisioner created every resource through the service APIs (SPEC §6).\n"
    f'  {GATE_CONDITION}: !Equals ["provisioned-by-sandbox", "created-by-cloudformation"]\n'
)
_SECTION = re.compile(r"^(?P<name>[A-Za-z]+):[^\n]*\n(?P<body>(?:(?:[ #][^\n]*)?\n)*)", re.MULTILINE)
_ENTRY = re.compile(r"^  (?P<id>[A-Za-z0-9]+):[ \t]*\n", re.MULTILINE)
_OWN_CONDITION = re.compile(r"^    Condition: [A-Za-z0-9]+[ \t]*\n", re.MULTILINE)
_DECLARED_SIZING = re.compile(r"^[ \t]+(?:#[^\n]*MemorySize[^\n]*|MemorySize: \d+|Timeout: \d+)[ \t]*\n", re.MULTILINE)


def _gate_entries(body: str) -> str:
    body = _OWN_CONDITION.sub("", body)  # a second Condition key would be invalid YAML
    return _ENTRY.sub(lambda m: f"{m.group(0)}    Condition: {GATE_CONDITION}\n", body)


def record_only_template(template_text: str, *, drop_declared_sizing: bool = False) -> str:
    """The template text with every resource and output gated off (see module docstring).

    `drop_declared_sizing` removes MemorySize/Timeout, so that the recorded template looks like a deployment that
    never declared them (fault provision.default_memory)."""
    if drop_declared_sizing:
        template_text = _DECLARED_SIZING.sub("", template_text)
    sections = {match.group("name"): match for match in _SECTION.finditer(template_text)}
    if "Resources" not in sections:
        raise ValueError("template text has no top-level Resources section")
    pieces: list[str] = []
    cursor = 0
    for name in ("Conditions", "Resources", "Outputs"):
        match = sections.get(name)
        if match is None:
            continue
        pieces.append(template_text[cursor : match.start("body")])
        body = match.group("body")
        pieces.append(_GATE_DEFINITION + body if name == "Conditions" else _gate_entries(body))
        cursor = match.end("body")
    pieces.append(template_text[cursor:])
    text = "".join(pieces)
    if "Conditions" not in sections:
        text = text.replace("\nResources:", f"\nConditions:\n{_GATE_DEFINITION}\nResources:", 1)
    return text


def register_stack(
    ctx: Context, stack_name: str, template_text: str, parameters: Mapping[str, str], no_echo: Iterable[str]
) -> str:
    """Create (or update) the record-only stack and return its id once it is complete.

    NoEcho parameters are submitted as `****`: moto 5.2 fails to mask them in DescribeStacks, and `****` is exactly
    what AWS shows there, so the secret never reaches moto's CloudFormation or the harness's stack snapshot."""
    cfn = ctx.client("cloudformation")
    body = record_only_template(template_text, drop_declared_sizing=ctx.has_fault("provision.default_memory"))
    masked = set(no_echo)
    request = {
        "StackName": stack_name,
        "TemplateBody": body,
        "Parameters": [
            {"ParameterKey": key, "ParameterValue": NO_ECHO_MASK if key in masked else value}
            for key, value in sorted(parameters.items())
        ],
        "Tags": [{"Key": "Project", "Value": "hedgehog-learn"}, {"Key": "Environment", "Value": ctx.stage}],
    }
    try:
        cfn.describe_stacks(StackName=stack_name)
    except cfn.exceptions.ClientError:
        return cfn.create_stack(**request)["StackId"]
    try:
        return cfn.update_stack(**request)["StackId"]
    except cfn.exceptions.ClientError as exc:
        if "No updates are to be performed" not in str(exc):
            raise
        return cfn.describe_stacks(StackName=stack_name)["Stacks"][0]["StackId"]
