"""`/learn`, the catalog (SPEC §8): a visible `h1`, links to every course and pathway."""

from __future__ import annotations

from pages.base import SitePage

__all__ = ["CatalogPage"]


class CatalogPage(SitePage):
    path = "/learn"

    def course_slugs(self) -> list[str]:
        return self._slugs("/learn/courses/")

    def pathway_slugs(self) -> list[str]:
        return self._slugs("/learn/pathways/")

    def _slugs(self, prefix: str) -> list[str]:
        paths = self.page.locator(f"a[href*='{prefix}']").evaluate_all("els => els.map(e => e.pathname)")
        return sorted({p.rstrip("/").rsplit("/", 1)[-1] for p in paths})
