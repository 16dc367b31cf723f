"""The sandbox's AWS side: a moto server, the template provisioner and the CloudWatch Logs shipper (SPEC §6)."""

from __future__ import annotations

from sandbox.aws.moto_server import MotoHandle, start_moto
from sandbox.aws.provision import HANDLED_FAULTS, Provisioned, ProvisionError, TestUser, provision

__all__ = ["HANDLED_FAULTS", "MotoHandle", "ProvisionError", "Provisioned", "TestUser", "provision", "start_moto"]
