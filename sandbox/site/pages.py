"""The learning pages (SPEC §8): server-rendered anonymous, like HubSpot; the auth script upgrades them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.site.config import SiteConfig

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
# Where the pages load their assets from, like HubSpot's file manager paths.
STATIC_PREFIX = "/hubfs/learn"


def make_template_environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a template typo fails loudly instead of rendering an empty CTA
        trim_blocks=True,
        lstrip_blocks=True,
    )


def path_and_query(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


class SitePages:
    """Page endpoints over one SiteConfig; every page shares the layout context built by `_render`."""

    def __init__(self, config: SiteConfig, templates: jinja2.Environment) -> None:
        self.config = config
        self.templates = templates
        catalog = config.catalog
        # Reverse index: module slug → its course, for the module pages and the modules listing.
        self._module_course = {m.slug: c for c in catalog.courses.values() for m in c.modules}

    def render(self, request: Request | None, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
        config = self.config
        current = path_and_query(request) if request is not None else "/learn"
        html = self.templates.get_template(template).render(
            site_base_url=config.site_base_url,
            canonical_path=request.url.path if request is not None else "/learn",
            static_prefix=STATIC_PREFIX,
            me_url=config.me_url,
            login_url=config.login_url,
            logout_url=config.logout_url,
            api_base_url=config.api_public_url,
            login_href=config.login_href(current),
            loads_auth_script=config.loads_auth_script,
            loads_legacy_script=config.loads_legacy_script,
            **context,
        )
        return HTMLResponse(html, status_code=status_code)

    def not_found(self) -> HTMLResponse:
        return self.render(None, "not_found.html.j2", status_code=404)

    async def home(self, request: Request) -> Response:
        return RedirectResponse("/learn", status_code=302)

    async def catalog(self, request: Request) -> Response:
        catalog = self.config.catalog
        return self.render(
            request,
            "catalog.html.j2",
            courses=list(catalog.courses.values()),
            pathways=list(catalog.pathways.values()),
        )

    async def courses(self, request: Request) -> Response:
        return self.render(request, "courses.html.j2", courses=list(self.config.catalog.courses.values()))

    async def pathways(self, request: Request) -> Response:
        return self.render(request, "pathways.html.j2", pathways=list(self.config.catalog.pathways.values()))

    async def modules(self, request: Request) -> Response:
        return self.render(request, "modules.html.j2", courses=list(self.config.catalog.courses.values()))

    async def course(self, request: Request) -> Response:
        course = self.config.catalog.courses.get(request.path_params["slug"])
        if course is None:
            raise HTTPException(404)
        pathways = [p for p in self.config.catalog.pathways.values() if course.slug in p.courses]
        return self.render(request, "course.html.j2", course=course, pathways=pathways)

    async def pathway(self, request: Request) -> Response:
        pathway = self.config.catalog.pathways.get(request.path_params["slug"])
        if pathway is None:
            raise HTTPException(404)
        courses = self.config.catalog.courses
        # A pathway may name a course missing from the catalog; it is listed by slug rather than dropped.
        entries = [(slug, courses[slug].title if slug in courses else slug) for slug in pathway.courses]
        return self.render(request, "pathway.html.j2", pathway=pathway, courses=entries)

    async def module(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        course = self._module_course.get(slug)
        if course is None:
            raise HTTPException(404)
        index = [m.slug for m in course.modules].index(slug)
        return self.render(
            request,
            "module.html.j2",
            module=course.modules[index],
            course=course,
            pathway_slug=self.config.pathway_of_course(course.slug),
            previous_module=course.modules[index - 1] if index > 0 else None,
            next_module=course.modules[index + 1] if index + 1 < len(course.modules) else None,
        )

    async def my_learning(self, request: Request) -> Response:
        return self.render(request, "my_learning.html.j2", catalog_data=self.catalog_data())

    async def register(self, request: Request) -> Response:
        return self.render(request, "register.html.j2")

    def catalog_data(self) -> dict[str, Any]:
        """Titles and module lists for My Learning, which the script fills from `/enrollments/list`."""
        catalog = self.config.catalog
        return {
            "courses": {
                c.slug: {"title": c.title, "modules": [{"slug": m.slug, "title": m.title} for m in c.modules]}
                for c in catalog.courses.values()
            },
            "pathways": {p.slug: {"title": p.title, "courses": list(p.courses)} for p in catalog.pathways.values()},
        }

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/", self.home),
            Route("/learn", self.catalog),
            Route("/learn/courses", self.courses),
            Route("/learn/pathways", self.pathways),
            Route("/learn/modules", self.modules),
            Route("/learn/courses/{slug}", self.course),
            Route("/learn/pathways/{slug}", self.pathway),
            Route("/learn/modules/{slug}", self.module),
            Route("/learn/my-learning", self.my_learning),
            Route("/learn/register", self.register),
        ]
