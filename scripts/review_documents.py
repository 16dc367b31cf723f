"""Look at a run's documents as their readers do: each Markdown document rendered to HTML (GitHub-like CSS, images
and links resolved against the run directory) and screenshotted with Chromium, above the fold and full page.

    .venv/bin/python scripts/review_documents.py <run_dir> <out_dir> [--width 1280] [--height 900]

Needs `markdown` (dev) and Playwright's Chromium or Debian's /usr/bin/chromium (HHL_CHROMIUM wins)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import markdown
from playwright.sync_api import sync_playwright

CSS = """
body { font: 14px/1.5 -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; max-width: 1100px; margin: 16px auto;
       padding: 0 16px; color: #1f2328; }
h1 { border-bottom: 1px solid #d0d7de; padding-bottom: .3em; } h2 { border-bottom: 1px solid #d0d7de; }
table { border-collapse: collapse; margin: 8px 0; } th, td { border: 1px solid #d0d7de; padding: 4px 8px; }
code { background: #f6f8fa; padding: 1px 4px; border-radius: 4px; font-size: 90%; }
pre { background: #f6f8fa; padding: 10px; overflow-x: auto; } pre code { background: none; padding: 0; }
img { max-width: 100%; border: 1px solid #d0d7de; }
"""


def to_html(path: Path) -> str:
    """The document as HTML; `<base>` resolves its relative links and images against the run directory."""
    body = markdown.markdown(path.read_text(encoding="utf-8"), extensions=["tables", "fenced_code"])
    base = path.parent.resolve().as_uri() + "/"
    return (
        f"<!doctype html><meta charset='utf-8'><base href='{base}'><title>{path.name}</title><style>{CSS}</style>{body}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    documents = sorted(args.run_dir.glob("*.md"))
    executable = os.environ.get("HHL_CHROMIUM") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable)
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        for doc in documents:
            html = args.out_dir / f"{doc.stem}.html"  # never into the run directory: its manifest is verified
            html.write_text(to_html(doc), encoding="utf-8")
            page.goto(html.resolve().as_uri())
            page.screenshot(path=args.out_dir / f"{doc.stem}-fold.png")
            page.screenshot(path=args.out_dir / f"{doc.stem}-full.png", full_page=True)
            print(f"{doc.name}: {doc.stat().st_size} bytes → {args.out_dir / doc.stem}-fold.png, -full.png")
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
