"""Save and restore moto's whole in-memory state (every service backend in use), inside the moto process.

A provisioned account takes ≈100 calls and ≈2 s of CPU on both sides of the socket; restoring it from a pickle takes
a fraction of that (sandbox/aws/snapshot_cache.py decides when a snapshot may be used). Two rules make it safe:

- Run-specific strings never reach the file: `dump` replaces each given value (secrets, loopback host:port pairs)
  with its placeholder as the state is pickled, and refuses to write if a value is still in the bytes; `restore`
  puts the new run's values in place of the placeholders. So a snapshot carries no run's secret into another.
- moto's module-level registries (`BackendDict`s) are referred to, not copied: restored backends are installed into
  the live registries, so later calls find them exactly where moto looks.

The few moto objects pickle cannot handle (locks, a weak-value index, a lambda default factory, RSA keys) get
reducers here; anything else unpicklable makes `dump` fail with SnapshotError and the caller simply provisions.
"""

from __future__ import annotations

import io
import os
import pickle
import sys
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

__all__ = ["SnapshotError", "dump", "dumps", "loads", "restore"]


class SnapshotError(RuntimeError):
    """The state could not be saved or restored; the message says why (never which secret)."""


_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))
_REF = "ref"  # persistent id: a live BackendDict, by module and attribute
_TEXT = "text"  # persistent id: a string that held run-specific values, with placeholders
_BLOB = "blob"  # persistent id: a large bytes value that is a named file's content (the Lambda package)


def _weak_values(items: dict[Any, Any]) -> weakref.WeakValueDictionary[Any, Any]:
    return weakref.WeakValueDictionary(items)


def _load_private_key(pem: bytes) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key(pem, password=None)


def _private_key_reduction(key: Any) -> tuple[Any, tuple[bytes]] | None:
    try:
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
    except ImportError:
        return None
    if not isinstance(key, rsa.RSAPrivateKey):
        return None
    return _load_private_key, (key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()),)


def _new_defaultdict(cls: type[defaultdict[Any, Any]], factory: Any) -> defaultdict[Any, Any]:
    value = defaultdict.__new__(cls)
    defaultdict.__init__(value, factory)  # not cls.__init__: moto's subclasses take other arguments
    return value


def _equivalent_factory(factory: Any) -> Any:
    """A picklable stand-in for a lambda default factory: moto's are `lambda: {}` (Lambda aliases) and
    `lambda: defaultdict(dict)` (SSM tags); any other shape is refused."""
    sample = factory()
    if type(sample) in (dict, list, set) and not sample:
        return type(sample)
    if isinstance(sample, defaultdict) and sample.default_factory is dict and not sample:
        return partial(defaultdict, dict)
    raise SnapshotError(f"cannot snapshot a defaultdict with factory {factory!r}")


def _defaultdict_reduction(value: defaultdict[Any, Any]) -> Any:
    factory = value.default_factory
    lambda_factory = getattr(factory, "__name__", "") == "<lambda>"
    if type(value) is defaultdict and not lambda_factory:
        return NotImplemented  # pickle's own way works
    factory = _equivalent_factory(factory) if lambda_factory else factory
    return _new_defaultdict, (type(value), factory), getattr(value, "__dict__", None) or None, None, iter(value.items())


def _registry_name(registry: Any) -> tuple[str, str]:
    """Where a BackendDict lives: (module, attribute) of the backend class's module."""
    module_name = registry.backend.__module__
    for name, value in vars(sys.modules[module_name]).items():
        if value is registry:
            return module_name, name
    raise SnapshotError(f"moto registry for {registry.service_name} not found in {module_name}")


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, replace: Mapping[str, str], blobs: Mapping[str, bytes]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        base_backend = sys.modules.get("moto.core.base_backend")  # absent outside the moto process
        self._registry_type: Any = base_backend.BackendDict if base_backend else ()
        self._replace = dict(replace)
        self._blobs = dict(blobs)

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, str) and obj:
            if any(value in obj for value in self._replace):
                for value, placeholder in self._replace.items():
                    obj = obj.replace(value, placeholder)
                return (_TEXT, obj)
            return None
        if isinstance(obj, bytes) and len(obj) > 4096:
            # S3 and Lambda each keep their own copy of the package: named, not written thrice.
            return next(((_BLOB, name) for name, blob in self._blobs.items() if obj == blob), None)
        if isinstance(obj, self._registry_type):
            return (_REF, *_registry_name(obj))
        return None

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, _LOCK_TYPES):
            return (threading.RLock if isinstance(obj, _LOCK_TYPES[1]) else threading.Lock), ()
        if isinstance(obj, threading.Condition):
            return threading.Condition, ()
        if isinstance(obj, weakref.WeakValueDictionary):
            return _weak_values, (dict(obj),)
        if isinstance(obj, defaultdict):
            return _defaultdict_reduction(obj)
        key = _private_key_reduction(obj)
        return key if key is not None else NotImplemented


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, fill: Mapping[str, str], blobs: Mapping[str, bytes]) -> None:
        super().__init__(file)
        self._fill = dict(fill)
        self._blobs = dict(blobs)

    def persistent_load(self, pid: Any) -> Any:
        kind, *rest = pid
        if kind == _TEXT:
            text = rest[0]
            for placeholder, value in self._fill.items():
                text = text.replace(placeholder, value)
            return text
        if kind == _BLOB:
            return self._blobs[rest[0]]
        if kind == _REF:
            module_name, name = rest
            __import__(module_name)
            return getattr(sys.modules[module_name], name)
        raise pickle.UnpicklingError(f"unknown persistent id kind {kind!r}")


def _state() -> list[tuple[str, str, dict[str, dict[str, Any]]]]:
    from moto.core.base_backend import BackendDict

    state = []
    for registry in list(BackendDict._instances):  # type: ignore[misc]
        accounts = {account: dict(regions) for account, regions in registry.items() if regions}
        if accounts:
            state.append((*_registry_name(registry), accounts))
    return state


def dumps(value: Any, replace: Mapping[str, str], blobs: Mapping[str, bytes] = {}) -> bytes:
    """Pickle `value`, each `replace` key swapped for its value in every string and each `blobs` content named
    instead of copied. Refuses (SnapshotError) when a run-specific value is still in the bytes."""
    buffer = io.BytesIO()
    ordered = dict(sorted(replace.items(), key=lambda item: -len(item[0])))  # a value inside another: longest first
    try:
        _Pickler(buffer, ordered, blobs).dump(value)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        raise SnapshotError(f"state is not picklable: {type(exc).__name__}: {exc}") from None
    data = buffer.getvalue()
    if any(secret.encode() in data for secret in replace):
        raise SnapshotError("a run-specific value survived the substitution; nothing written")
    return data


def loads(data: bytes, fill: Mapping[str, str], blobs: Mapping[str, bytes] = {}) -> Any:
    """The inverse of `dumps`: placeholders replaced by their `fill` values, named blobs by their content."""
    try:
        return _Unpickler(io.BytesIO(data), fill, blobs).load()
    except Exception as exc:  # a damaged or incompatible file of any kind: the caller provisions instead
        raise SnapshotError(f"snapshot unreadable: {type(exc).__name__}") from None


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial_path = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial_path.write_bytes(data)
    os.replace(partial_path, path)  # concurrent writers of one key write equivalent content: last one wins


# Registries whose model modules import most of moto (CloudFormation's template parser imports every service, SSM
# loads EC2's data files): ≈1 s of imports, restored after the port opens while requests to their services wait
# (sandbox/aws/moto_process.py holds them, by SigV4 signing name).
LATER_MODULES = frozenset({"moto.cloudformation.models", "moto.ssm.models"})
LATER_SERVICES = frozenset({"cloudformation", "ssm"})


def dump(path: Path, replace: Mapping[str, str], blobs: Mapping[str, bytes] = {}) -> int:
    """Write every moto backend in use to `path` (see `dumps`) in two parts, now and later; returns the size."""
    state = _state()
    now = [entry for entry in state if entry[0] not in LATER_MODULES]
    later = [entry for entry in state if entry[0] in LATER_MODULES]
    parts = (dumps(now, replace, blobs), dumps(later, replace, blobs))
    data = pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)
    write_atomically(path, data)
    return len(data)


def _install(state: list[tuple[str, str, dict[str, dict[str, Any]]]]) -> None:
    for module_name, name, accounts in state:
        registry = getattr(sys.modules[module_name], name)
        for account, regions in accounts.items():
            account_backends = registry[account]  # created and registered the way moto does
            for region, backend in regions.items():
                account_backends[region] = backend


def restore(path: Path, fill: Mapping[str, str], blobs: Mapping[str, bytes] = {}) -> Callable[[], None]:
    """Install the first part of the backends saved at `path` into moto's registries (see `loads`); returns the
    function that installs the rest (LATER_MODULES). A bad file raises before anything is installed."""
    try:
        now, later = pickle.loads(path.read_bytes())  # a pair of byte strings: nothing is constructed
    except (OSError, pickle.UnpicklingError, ValueError, TypeError, EOFError) as exc:
        raise SnapshotError(f"snapshot {path.name} unreadable: {type(exc).__name__}") from None
    _install(loads(now, fill, blobs))
    return lambda: _install(loads(later, fill, blobs))
