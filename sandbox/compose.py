"""Compose the sandbox: moto + provisioned stack, the backend behind the gateway layer, hosted-UI stand-in, site,
and the CRM side (HubSpot stand-in, the CRM sync consumer fed by the stream poller: compose_crm.py).

One process, one thread per server: lighter and faster to start than a process tree, and one place to stop.
"""

from __future__ import annotations

import base64
import importlib
import logging
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox import timings
from sandbox.ports import Ports, free_port
from sandbox.servers import ThreadedServer, start_all, stop_all

if TYPE_CHECKING:
    from environments.models import SandboxState

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = REPO_ROOT / "backend" / "template.yaml"
DIST_DIR = REPO_ROOT / "dist"
REGION = "us-west-2"
STAGE = "local"
READY_TIMEOUT_S = 10.0
RUN_HEADER = b"x-hhl-run"  # checks.http.RUN_HEADER, lower-cased as ASGI gives it

log = logging.getLogger("sandbox")


class SandboxStartError(RuntimeError):
    """The sandbox could not come up; the message says which part and why."""


@dataclass
class Urls:
    site: str
    api: str
    idp: str
    aws: str
    crm: str  # the HubSpot stand-in

    @classmethod
    def for_ports(cls, ports: Ports) -> Urls:
        # Site and API share the `localhost` site; the hosted UI sits on another site (127.0.0.1), like Cognito.
        return cls(
            site=f"http://localhost:{ports.site}",
            api=f"http://localhost:{ports.api}",
            idp=f"http://127.0.0.1:{ports.idp}",
            aws=f"http://127.0.0.1:{ports.aws}",
            crm=f"http://127.0.0.1:{ports.hubspot}",
        )


@dataclass
class Sandbox:
    urls: Urls
    faults: frozenset[str]
    state: SandboxState | None = None  # set once every server answers: what the state file holds
    servers: list[ThreadedServer] = field(default_factory=list)
    moto: Any = None
    log_handler: logging.Handler | None = None
    crm: Any = None  # compose_crm.CrmSide
    from_snapshot: bool = False  # moto's state was restored, not provisioned

    def stop(self) -> None:
        if self.crm is not None:
            self.crm.stop()  # the poller first: its consumer talks to the stand-in and moto
        stop_all(self.servers)
        if self.log_handler is not None:
            logging.getLogger("hhl_backend").removeHandler(self.log_handler)
            self.log_handler.close()
        # moto keeps nothing worth a graceful stop (its state is in memory) and its own stop takes ≈2 s: kill it.
        self.kill_children()
        if self.moto is not None:
            self.moto.stop()  # reaps the killed child

    def kill_children(self) -> None:
        """SIGKILL the moto child at once (the hard exit: no graceful stop, its state is in memory only)."""
        # A MotoHandle's process is behind its server; a child still starting (PendingMoto) holds it itself.
        process = getattr(getattr(self.moto, "_server", self.moto), "process", None)
        if process is not None and process.poll() is None:
            process.kill()


def latest_package_zip() -> Path:
    zips = sorted(DIST_DIR.glob("hhl_backend-*.zip"), key=lambda p: p.stat().st_mtime)
    if not zips:
        raise SandboxStartError(f"no Lambda package in {DIST_DIR}: run `make package` first")
    return zips[-1]


def _test_users() -> list[Any]:
    from sandbox.aws.provision import TestUser

    def password() -> str:
        # Meets the pool policy (upper, lower, digit, >= 8); fresh per run, never written to logs.
        return "Hh1-" + secrets.token_urlsafe(18)

    return [
        TestUser("learner-one@example.com", password(), given_name="Ada", family_name="Lovelace"),
        TestUser("learner-two@example.com", password(), given_name="Grace", family_name="Hopper"),
    ]


def _template_parameters(urls: Urls, cookie_secret: str, code_zip: Path) -> dict[str, str]:
    return {
        "Stage": STAGE,
        "SiteBaseUrl": urls.site,
        "CorsOrigins": urls.site,
        "CognitoDomainPrefix": f"hedgehog-learn-{STAGE}",
        "CallbackUrls": f"{urls.api}/auth/callback",
        "LogoutUrls": f"{urls.site}/learn,{urls.site}/",
        "AlarmEmail": "",
        "AuthCookieSecret": cookie_secret,
        "CodeS3Bucket": "hedgehog-learn-local-artifacts",
        "CodeS3Key": code_zip.name,
    }


def _backend_environ(urls: Urls, provisioned: Any, cookie_secret: str, faults: frozenset[str]) -> dict[str, str]:
    issuer = f"{urls.idp}/{provisioned.user_pool_id}"
    # idp.jwks_unreachable: the backend is configured with a JWKS URL on a port nothing listens on.
    jwks = f"http://127.0.0.1:{free_port()}/jwks.json" if "idp.jwks_unreachable" in faults else None
    environ = {
        "APP_STAGE": STAGE,
        "SITE_BASE_URL": urls.site,
        "AUTH_COOKIE_SECRET": cookie_secret,
        "COGNITO_USER_POOL_ID": provisioned.user_pool_id,
        "COGNITO_CLIENT_ID": provisioned.client_id,
        "COGNITO_DOMAIN": urls.idp,
        "COGNITO_REDIRECT_URI": f"{urls.api}/auth/callback",
        "COGNITO_ISSUER": issuer,
        "COGNITO_LOGOUT_URI": f"{urls.site}/learn",
        "DYNAMODB_USERS_TABLE": provisioned.tables["users"],
        "DYNAMODB_ENROLLMENTS_TABLE": provisioned.tables["enrollments"],
        "DYNAMODB_PROGRESS_TABLE": provisioned.tables["progress"],
        "DYNAMODB_BADGES_TABLE": provisioned.tables["badges"],
        "AWS_ENDPOINT_URL": urls.aws,
    }
    if jwks:
        environ["COGNITO_JWKS_URL"] = jwks
    if "backend.cookie_domain" in faults:  # the Jan-2026 Domain cookies, through the backend's own setting
        environ["COOKIE_DOMAIN"] = "localhost"
    return environ


def _use_local_aws(urls: Urls) -> None:
    # This process is the sandbox: every boto3 client in it (backend store, stand-in, shipper) talks to moto.
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": urls.aws,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
        }
    )
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)


def _build_api(
    urls: Urls, provisioned: Any, cookie_secret: str, params: dict[str, str], faults: frozenset[str]
) -> StagePerRun:
    from hhl_backend.app import create_app
    from hhl_backend.config import load_settings
    from hhl_backend.gateway import gateway_config_from_template, wrap_with_gateway

    from sandbox.aws.context import client_for
    from sandbox.backend_faults import seams_for_faults
    from sandbox.live_alias import LiveAliasBackend, LiveAliasResolver

    def backend(version_faults: frozenset[str]) -> ASGIApp:  # the version behind `live` may name more faults
        planted = faults | version_faults
        settings = load_settings(_backend_environ(urls, provisioned, cookie_secret, planted))
        return create_app(settings, seams=seams_for_faults(planted))

    seams = seams_for_faults(faults)
    resolver = LiveAliasResolver(client_for(urls.aws, REGION, "lambda"), provisioned.function_name)
    app = LiveAliasBackend(backend, resolver)
    config = gateway_config_from_template(TEMPLATE_PATH, params)
    return StagePerRun(lambda: wrap_with_gateway(app, config, seams=seams))


class StagePerRun:
    """One emulated API Gateway stage per harness run: requests carrying `X-Hhl-Run: <run id>` (the harness's
    HttpClient sends it on kind local) go through that run's own gateway emulator, i.e. its own stage token
    bucket; anything else (a browser, curl) through the default one. Several runs sharing one sandbox then never
    throttle each other: `load.throttling` empties its own run's bucket on purpose, and two runs' paced load
    stay within their own budgets, as each would against a stage of its own. Routes, CORS and the backend behind
    are the same for all (one app); only the throttle state is per run. At most `MAX_RUNS` buckets are kept
    (least recently used dropped: a dropped run's next request starts with a full bucket)."""

    MAX_RUNS = 64

    def __init__(self, make_gateway: Callable[[], ASGIApp]) -> None:
        self._make_gateway = make_gateway
        self._default = make_gateway()
        self._per_run: OrderedDict[bytes, ASGIApp] = OrderedDict()

    def gateway_for(self, run: bytes | None) -> ASGIApp:
        if not run:
            return self._default
        gateway = self._per_run.get(run)
        if gateway is None:  # no await between lookup and insert: atomic on the event loop
            gateway = self._per_run[run] = self._make_gateway()
            while len(self._per_run) > self.MAX_RUNS:
                self._per_run.popitem(last=False)
        else:
            self._per_run.move_to_end(run)
        return gateway

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        run = None
        if scope["type"] == "http":
            run = next((value for name, value in scope["headers"] if name == RUN_HEADER), None)
        await self.gateway_for(run[:128] if run else None)(scope, receive, send)


def _ship_logs(provisioned: Any, urls: Urls) -> logging.Handler:
    from hhl_backend.logs import JsonLineFormatter

    from sandbox.aws.log_shipper import CloudWatchLogsHandler

    # The same JSON lines Lambda would write, in a Lambda-style stream, so log checks judge real events.
    handler = CloudWatchLogsHandler(endpoint_url=urls.aws, region=REGION, log_group=provisioned.log_group)
    handler.setFormatter(JsonLineFormatter())
    backend_logger = logging.getLogger("hhl_backend")
    backend_logger.addHandler(handler)
    backend_logger.setLevel(logging.INFO)
    return handler


def _wait_until_answering(urls: Urls) -> None:
    probes = {
        "site": f"{urls.site}/learn",
        "api": f"{urls.api}/auth/me",
        "hosted UI": f"{urls.idp}/error",
        "HubSpot stand-in": f"{urls.crm}/__standin/sync",
    }
    deadline = time.monotonic() + READY_TIMEOUT_S
    with httpx.Client(timeout=2.0) as client:
        for name, url in probes.items():
            while True:
                try:
                    client.get(url)
                    break
                except httpx.TransportError as exc:
                    if time.monotonic() > deadline:
                        raise SandboxStartError(f"{name} does not answer at {url}") from exc
                    time.sleep(0.05)  # bounded poll until the listener accepts


def _import_late_modules() -> None:
    # The CRM side, and the state file's model (pydantic models cost ≈0.1 s to build), off the critical path.
    for module in (
        "hhl_backend.crm.handler",
        "sandbox.backend_faults.crmsync",
        "sandbox.hubspot",
        "environments.models",
    ):
        importlib.import_module(module)


def _run_values(urls: Urls, cookie_secret: str, users: list[Any], crm_token: str) -> Any:
    """This sandbox's own secrets and loopback addresses: what a snapshot holds as placeholders."""
    from sandbox.aws.snapshot_cache import RunValues

    hosts = {name: getattr(urls, name).split("//", 1)[1] for name in ("site", "api", "idp", "aws", "crm")}
    passwords = {f"password_{index}": user.password for index, user in enumerate(users)}
    return RunValues({"cookie_secret": cookie_secret, "crm_token": crm_token, **passwords, **hosts})


def _save_snapshot(slot: Any, moto: Any, provisioned: Any) -> None:
    """Keep this provisioning for the next start with the same inputs; a failure only costs the next start time."""
    from sandbox.aws.moto_snapshot import SnapshotError
    from sandbox.aws.snapshot_cache import CODE_BLOB, prune

    def save_moto(path: Path) -> int:
        return moto._server.save_snapshot(path, slot.run.to_placeholders(), {CODE_BLOB: slot.code_zip})

    try:
        slot.save(provisioned, save_moto)
    except (SnapshotError, OSError) as exc:
        log.warning("provisioned state not snapshotted (the next start provisions again): %s", exc)
        return
    prune(slot.directory.parent)


def _start_moto(ports: Ports, slot: Any) -> Any:
    """Launch the moto child, from the slot's snapshot when there is one; returns (pending child, provisioned or
    None). The provisioner's saved result is read while the child restores; if it is unusable, moto starts empty."""
    from sandbox.aws.moto_process import launch_moto_process
    from sandbox.aws.moto_snapshot import SnapshotError
    from sandbox.aws.snapshot_cache import CODE_BLOB

    if slot is None or not slot.ready():
        return launch_moto_process(ports.aws), None
    fill = slot.run.from_placeholders()
    pending = launch_moto_process(ports.aws, restore=slot.moto_file, fill=fill, blobs={CODE_BLOB: slot.code_zip})
    try:
        return pending, slot.load_provisioned()
    except SnapshotError as exc:
        log.warning("snapshot %s not used: %s", slot.directory.name, exc)
        pending.stop()
        slot.discard()
        return launch_moto_process(ports.aws), None


@contextmanager
def _backend_logs_claimed() -> Iterator[None]:
    """While the apps are built before the log shipper exists: the backend adds its own stderr handler unless one
    with its JSON formatter is there (hhl_backend.logs.configure_logging), and the sandbox's logs go to CloudWatch
    only. A handler-less stand-in holds the place until the shipper is attached."""
    from hhl_backend.logs import JsonLineFormatter

    placeholder = logging.NullHandler()
    placeholder.setFormatter(JsonLineFormatter())
    backend_logger = logging.getLogger("hhl_backend")
    backend_logger.addHandler(placeholder)
    try:
        yield
    finally:
        backend_logger.removeHandler(placeholder)


def _build_servers(
    sandbox: Sandbox, ports: Ports, cookie_secret: str, params: dict[str, str], crm_token: str, provisioned: Any
) -> None:
    """Build the API (behind its gateway), hosted-UI, site and CRM side, and start their servers. Calls nothing in
    moto (the log shippers and the poller come after): the servers listen, nobody calls them before the state file.
    """
    from hhl_backend.content import load_catalog

    from sandbox.compose_crm import build_crm
    from sandbox.idp import create_idp_app
    from sandbox.site import create_site_app

    urls, faults = sandbox.urls, sandbox.faults
    with _backend_logs_claimed():
        sandbox.crm = build_crm(
            crm_url=urls.crm,
            aws_url=urls.aws,
            region=REGION,
            stage=STAGE,
            provisioned=provisioned,
            faults=faults,
            token=crm_token,
        )
        api_app = _build_api(urls, provisioned, cookie_secret, params, faults)
    idp_app = create_idp_app(
        aws_endpoint_url=urls.aws,
        region=REGION,
        user_pool_id=provisioned.user_pool_id,
        public_base_url=urls.idp,
        faults=faults,
    )
    site_app = create_site_app(
        site_base_url=urls.site,
        api_public_url=urls.api,
        api_upstream_url=urls.api,
        catalog=load_catalog(),
        faults=faults,
    )
    timings.mark("apps built")
    sandbox.servers = [
        ThreadedServer("api", api_app, ports.api),
        ThreadedServer("hosted-ui", idp_app, ports.idp),
        ThreadedServer("site", site_app, ports.site),
        ThreadedServer("hubspot", sandbox.crm.app, ports.hubspot),
    ]
    start_all(sandbox.servers)
    timings.mark("servers started")


def _provisioning_slot(
    code_zip: Path, params: dict[str, str], users: list[Any], faults: frozenset[str], run: Any
) -> Any:
    from sandbox.aws.snapshot_cache import slot_for

    return slot_for(
        code_zip,
        run,
        template_text=TEMPLATE_PATH.read_text(encoding="utf-8"),
        region=REGION,
        stage=STAGE,
        parameters=params,
        users=users,
        faults=faults,
        with_crm_token=True,
    )


def start_sandbox(ports: Ports, faults: frozenset[str]) -> Sandbox:
    """Bring everything up; on any failure stop what was started and raise SandboxStartError."""
    from sandbox.faults import expand_faults

    faults = expand_faults(faults)  # a composite `profile:*` stands for its member faults
    urls = Urls.for_ports(ports)
    sandbox = Sandbox(urls=urls, faults=faults)
    try:
        code_zip = latest_package_zip()
        _use_local_aws(urls)
        from sandbox.compose_crm import new_crm_token

        cookie_secret = base64.b64encode(secrets.token_bytes(32)).decode()
        params = _template_parameters(urls, cookie_secret, code_zip)
        users = _test_users()
        crm_token = new_crm_token()
        run = _run_values(urls, cookie_secret, users, crm_token)
        slot = _provisioning_slot(code_zip, params, users, faults, run)
        # moto first, in its own process: it starts (or restores) on the other core while this one imports the rest.
        pending, provisioned = _start_moto(ports, slot)
        sandbox.moto = pending
        timings.mark("moto child launched")
        # The CRM side's imports (powertools, the stand-in) load while provisioning waits on moto.
        threading.Thread(target=_import_late_modules, name="import-late", daemon=True).start()
        from sandbox.aws.provision import provision
        from sandbox.compose_crm import handed_out_token

        timings.mark("orchestrator imports done")
        build = partial(_build_servers, sandbox, ports, cookie_secret, params, crm_token)
        if provisioned is not None:
            # Restored: building and starting the servers needs only the names, so it runs while moto restores.
            build(provisioned)
        sandbox.moto = pending.wait_ready()
        timings.mark("moto child ready" + (" (restored)" if sandbox.moto._server.restored else ""))
        if provisioned is not None and sandbox.moto._server.restored:
            slot.touch()
            sandbox.from_snapshot = True
        else:
            stop_all(sandbox.servers)  # built for a snapshot moto could not use (rare): rebuilt on the new ids
            provisioned = provision(
                TEMPLATE_PATH,
                endpoint_url=urls.aws,
                region=REGION,
                stage=STAGE,
                parameters=params,
                faults=faults,
                users=users,
                code_zip=code_zip,
                crm_token=crm_token,
            )
            if slot is not None:
                _save_snapshot(slot, sandbox.moto, provisioned)
            timings.mark("provisioned")
            build(provisioned)
        # The log shippers create their streams in moto: only once it answers, and before any request is served.
        sandbox.log_handler = _ship_logs(provisioned, urls)
        sandbox.crm.ship_logs(
            sandbox.log_handler, aws_url=urls.aws, region=REGION, function_name=provisioned.crm_function_name
        )
        timings.mark("logs shipped")
        # Streams opened at LATEST before anything can write: every later write reaches the consumer.
        sandbox.crm.poller.start()
        sandbox.moto._server.finish_restore()  # moto's own restore waited for these first calls
        _wait_until_answering(urls)
        timings.mark("every server answers")
        sandbox.state = _state(urls, provisioned, users, faults, handed_out_token(crm_token, faults))
        return sandbox
    except BaseException:
        sandbox.stop()
        raise


# Provisioned's names and ids that the state file carries under the same names.
STATE_FROM_PROVISIONED = (
    "account_id",
    "stack_name",
    "user_pool_id",
    "client_id",
    "other_client_id",
    "function_name",
    "log_group",
    "api_id",
)


def _state(urls: Urls, provisioned: Any, users: list[Any], faults: frozenset[str], crm_token: str) -> SandboxState:
    from hhl_backend import __version__ as backend_version
    from pydantic import SecretStr

    from environments.models import SandboxState, SandboxUser, Tables

    return SandboxState(
        site_url=urls.site,
        # site.api_proxy_off: the env's API base is the site origin, which now answers API paths with the CMS 404.
        api_url=urls.site if "site.api_proxy_off" in faults else urls.api,
        idp_url=urls.idp,
        aws_endpoint_url=urls.aws,
        region=REGION,
        stage=STAGE,
        backend_version=backend_version,
        **{name: getattr(provisioned, name) for name in STATE_FROM_PROVISIONED},
        callback_url=f"{urls.api}/auth/callback",
        logout_url=f"{urls.site}/learn",
        issuer=f"{urls.idp}/{provisioned.user_pool_id}",
        tables=Tables(**provisioned.tables),
        users=[SandboxUser(username=u.username, password=SecretStr(u.password)) for u in users],
        faults=sorted(faults),
        pid=os.getpid(),
        crm_url=urls.crm,
        crm_token=SecretStr(crm_token),
    )
