"""HTTP-level checks of the server-rendered DOM contract (SPEC §8) on every page, the 404 and the app's arguments."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from hhl_backend.content import Catalog

from sandbox.site import SiteConfigError, create_site_app
from tests.sandbox.site.site_dom import Node, parse_html
from tests.sandbox.site.site_stack import SiteStack

COURSE = "network-like-hyperscaler-foundations"
PATHWAY = "network-like-hyperscaler"
MODULE = "fabric-operations-welcome"
LEARNING_PAGES = [
    "/learn",
    "/learn/courses",
    "/learn/pathways",
    "/learn/modules",
    f"/learn/courses/{COURSE}",
    f"/learn/pathways/{PATHWAY}",
    f"/learn/modules/{MODULE}",
    "/learn/my-learning",
    "/learn/register",
]


@pytest.fixture(scope="module")
def http(stack: SiteStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.site_direct_url, follow_redirects=False, trust_env=False) as client:
        yield client


def get_page(http: httpx.Client, path: str) -> Node:
    response = http.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    assert response.headers["content-type"].startswith("text/html")
    return parse_html(response.text)


def hrefs(doc: Node) -> list[str]:
    return [a.attrs["href"] for a in doc.select("a") if "href" in a.attrs]


def login_href(stack: SiteStack, path_and_query: str) -> str:
    return f"{stack.api_url}/auth/login?redirect_url={quote(path_and_query, safe='')}"


@pytest.mark.parametrize("path", LEARNING_PAGES)
def test_every_learning_page_has_h1_auth_context_nav_and_the_auth_script(
    http: httpx.Client, stack: SiteStack, path: str
) -> None:
    doc = get_page(http, path)
    assert doc.one("h1").text
    context = doc.one("input", id="hhl-auth-context")
    assert context.attrs["data-auth-me-url"] == f"{stack.api_url}/auth/me"
    assert context.attrs["data-auth-login-url"] == f"{stack.api_url}/auth/login"
    assert context.attrs["data-auth-logout-url"] == f"{stack.api_url}/auth/logout"
    # Server rendering is always anonymous; the script writes data-authenticated.
    assert "data-authenticated" not in context.attrs
    links = doc.select("a", cls="learn-auth-link")
    assert [(a.text, a.attrs["href"]) for a in links] == [
        ("Register", "/learn/register"),
        ("Sign In", login_href(stack, path)),
    ]
    scripts = [s.attrs.get("src", "") for s in doc.select("script") if s.attrs.get("src")]
    assert [s for s in scripts if s.endswith("/cognito-auth-integration.js")], scripts
    assert not [s for s in scripts if s.endswith("/auth-context.js")], scripts


def test_root_redirects_to_learn(http: httpx.Client) -> None:
    response = http.get("/")
    assert response.status_code == 302
    assert response.headers["location"] == "/learn"


def test_catalog_links_every_course_and_pathway(http: httpx.Client, catalog: Catalog) -> None:
    links = hrefs(get_page(http, "/learn"))
    for slug in catalog.courses:
        assert f"/learn/courses/{slug}" in links
    for slug in catalog.pathways:
        assert f"/learn/pathways/{slug}" in links


@pytest.mark.parametrize(
    ("path", "heading", "kind"),
    [("/learn/courses", "Courses", "courses"), ("/learn/pathways", "Pathways", "pathways")],
)
def test_listing_links_every_item(http: httpx.Client, catalog: Catalog, path: str, heading: str, kind: str) -> None:
    doc = get_page(http, path)
    assert doc.one("h1").text == heading
    main_links = hrefs(doc.one("main"))
    assert [f"/learn/{kind}/{slug}" for slug in getattr(catalog, kind)] == main_links


def test_modules_listing_links_every_module_in_catalog_order(http: httpx.Client, catalog: Catalog) -> None:
    doc = get_page(http, "/learn/modules")
    module_links = [a.attrs["href"] for a in doc.select("a", cls="module-link")]
    assert module_links == [f"/learn/modules/{m.slug}" for c in catalog.courses.values() for m in c.modules]


def test_course_page_renders_title_modules_in_order_and_the_anonymous_cta(
    http: httpx.Client, stack: SiteStack, catalog: Catalog
) -> None:
    course = catalog.courses[COURSE]
    path = f"/learn/courses/{COURSE}?hsCacheBuster=1700000000000"
    doc = get_page(http, path)
    assert doc.one("h1").text == course.title
    module_links = [a.attrs["href"] for a in doc.select("a", cls="module-link")]
    assert module_links == [f"/learn/modules/{m.slug}" for m in course.modules]
    cta = doc.one(id="hhl-enrollment-cta", data_content_type="course")
    link = cta.one("a", id="hhl-enroll-login", cls="enrollment-button")
    assert link.text == "Sign in to start course"
    assert link.attrs["href"] == login_href(stack, path)
    assert cta.one(id="hhl-enroll-helper").text == "Already registered? Sign in to continue."
    assert not doc.select(id="hhl-enroll-button")


def test_pathway_page_links_its_courses_and_renders_the_pathway_cta(
    http: httpx.Client, stack: SiteStack, catalog: Catalog
) -> None:
    path = f"/learn/pathways/{PATHWAY}"
    doc = get_page(http, path)
    assert doc.one("h1").text == catalog.pathways[PATHWAY].title
    course_links = [a.attrs["href"] for a in doc.select("a", cls="course-link")]
    assert course_links == [f"/learn/courses/{slug}" for slug in catalog.pathways[PATHWAY].courses]
    cta = doc.one(id="hhl-enrollment-cta", data_content_type="pathway", data_content_slug=PATHWAY)
    link = cta.one("a", id="hhl-enroll-login")
    assert link.text == "Sign in to enroll in pathway"
    assert link.attrs["href"] == login_href(stack, path)
    assert cta.one(id="hhl-enroll-helper").text == "Already registered? Sign in to continue."


def test_module_page_carries_slug_metadata_and_progress_buttons(http: httpx.Client, catalog: Catalog) -> None:
    doc = get_page(http, f"/learn/modules/{MODULE}")
    metas = {m.attrs["name"]: m.attrs["content"] for m in doc.select("meta") if m.attrs.get("name", "")[:4] == "hhl:"}
    assert metas == {"hhl:module_slug": MODULE, "hhl:course_slug": COURSE, "hhl:pathway_slug": PATHWAY}
    assert doc.one("h1").text == catalog.courses[COURSE].modules[0].title
    assert doc.one("button", id="hhl-mark-started").text == "Mark as started"
    assert doc.one("button", id="hhl-mark-complete").text == "Mark complete"


def test_my_learning_is_anonymous_with_a_sign_in_link_and_no_cards(
    http: httpx.Client, stack: SiteStack, catalog: Catalog
) -> None:
    doc = get_page(http, "/learn/my-learning")
    assert doc.one("h1").text == "My Learning"
    assert doc.one("a", cls="my-learning-signin").attrs["href"] == login_href(stack, "/learn/my-learning")
    assert doc.select(cls="enrollment-card") == []
    assert doc.select(cls="module-card") == []
    # The script builds the cards from this embedded catalog.
    embedded = json.loads(doc.one("script", id="hhl-catalog").raw_text)
    assert set(embedded["courses"]) == set(catalog.courses)
    first_module = catalog.courses[COURSE].modules[0]
    assert embedded["courses"][COURSE]["modules"][0] == {"slug": MODULE, "title": first_module.title}
    assert embedded["pathways"][PATHWAY]["courses"] == list(catalog.pathways[PATHWAY].courses)


def test_register_page(http: httpx.Client) -> None:
    doc = get_page(http, "/learn/register")
    assert doc.one("h1").text == "Register"


@pytest.mark.parametrize(
    "path",
    [
        "/nope",
        "/learn/courses/no-such-course",
        "/learn/pathways/no-such-pathway",
        "/learn/modules/no-such-module",
        "/hubfs/learn/auth-context.js",
        "/authentication",
        "/api/health",
    ],
)
def test_unknown_paths_get_the_cms_404_page(http: httpx.Client, path: str) -> None:
    response = http.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    doc = parse_html(response.text)
    assert doc.one("h1").text == "Page Not Found"
    assert not doc.select(id="hhl-auth-context")


def test_the_auth_script_is_served_as_javascript(http: httpx.Client) -> None:
    response = http.get("/hubfs/learn/cognito-auth-integration.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert "window.hhIdentity" in response.text


SITE_ARGS = {
    "site_base_url": "http://localhost:8400",
    "api_public_url": "http://localhost:8401",
    "api_upstream_url": "http://127.0.0.1:8401",
}


@pytest.mark.parametrize(
    ("argument", "value"),
    [("site_base_url", "localhost:8400"), ("api_public_url", "ftp://x"), ("api_upstream_url", "http://h/?q=1")],
)
def test_bad_urls_are_refused_naming_the_argument(catalog: Catalog, argument: str, value: str) -> None:
    with pytest.raises(SiteConfigError, match=argument):
        create_site_app(**{**SITE_ARGS, argument: value}, catalog=catalog)


def test_unknown_site_fault_is_refused_and_other_components_faults_are_ignored(catalog: Catalog) -> None:
    with pytest.raises(SiteConfigError, match=r"site\.no_such_fault"):
        create_site_app(**SITE_ARGS, catalog=catalog, faults=frozenset({"site.no_such_fault"}))
    assert create_site_app(**SITE_ARGS, catalog=catalog, faults=frozenset({"backend.state_as_jwt"}))


def test_a_catalog_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(SiteConfigError, match="catalog"):
        create_site_app(**SITE_ARGS, catalog=object())  # type: ignore[arg-type]
