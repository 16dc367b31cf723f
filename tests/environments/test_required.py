"""`Environment.required`: the typed read of a key a loaded env must have set (a local file leaves it null)."""

from __future__ import annotations

import pytest

from checks.errors import HarnessError
from environments import load_environment


def test_a_set_key_is_its_value() -> None:
    dev = load_environment("dev", environ={})
    assert dev.required("api_base_url") == dev.api_base_url
    assert dev.required("cognito.domain") == dev.cognito.domain


def test_an_unset_key_is_a_clear_error_naming_it() -> None:
    local = load_environment("local", environ={})  # no sandbox state: the URL fields stay null
    with pytest.raises(HarnessError, match=r"`cognito.domain` is not set for env local"):
        local.required("cognito.domain")
    with pytest.raises(HarnessError, match=r"`site_base_url` is not set"):
        local.required("site_base_url")
    with pytest.raises(HarnessError, match=r"`region` is not set"):
        local.required("region")
