"""Load every page of the built site in headless Chromium and report what a reader would see wrong.

    python -m tools.check_site [SITE] [--shots build/site-shots]      # `make site-check`

The site is served on localhost (a thread of this process). Every request to another host is
blocked and counted as a failure: the site must not need the network when read. For each page:
  - no console error and no uncaught exception; no failed request, no HTTP error;
  - every formula typeset by MathJax (no raw `$`, `\\(` or `\\[` left in the rendered text outside
    code, and no MathJax error box);
  - every image loaded, with a non-zero natural size;
  - every link to another page of the site resolves (the file exists and so does its #anchor);
and a screenshot of the whole page at a desktop and a mobile width goes to --shots. The search page
must find a word every lesson uses. Exit status 1 with one line per problem.

Chromium is found on PATH (chromium, chromium-headless-shell; tools/install_browser.sh installs
Debian's package) or in $NPDL_CHROMIUM; the `site` extra provides the driver (playwright).
"""
import argparse
import concurrent.futures
import functools
import http.server
import multiprocessing
import os
import re
import shutil
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = {"desktop": (1280, 800), "mobile": (390, 844)}
# Chromium as root in a container: no sandbox, no GPU, and none of its own traffic (updates, sync).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
]  # fmt: skip
CANDIDATES = ("chromium", "chromium-headless-shell", "/usr/lib/chromium/chromium-headless-shell",
              "chromium-browser", "google-chrome")  # fmt: skip
SEARCH_WORD = "gradient"

# Text left untypeset: a `$`, `\(` or `\[` in the rendered page outside code and outside MathJax's
# own output; an error box MathJax drew for a formula it could not parse.
_PAGE_PROBE = r"""
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  await document.fonts.ready;
  const imgs = Array.from(document.images);
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => { i.onload = i.onerror = r; })));
  const raw = [];
  const skip = 'PRE,CODE,SCRIPT,STYLE,TEXTAREA,MJX-CONTAINER,MJX-ASSISTIVE-MML';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const t = n.nodeValue;
    if (!/\$|\\\(|\\\[/.test(t)) continue;
    if (n.parentElement && n.parentElement.closest(skip)) continue;
    raw.push(t.trim().slice(0, 80));
  }
  return {
    raw: raw,
    errors: Array.from(document.querySelectorAll('mjx-container'))
              .filter(c => c.querySelector('mjx-merror, [data-mjx-error]'))
              .map(c => { const e = c.querySelector('[data-mjx-error]') || c.querySelector('mjx-merror');
                          return (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 80); }),
    typeset: document.querySelectorAll('mjx-container').length,
    formulas: document.querySelectorAll('span.math, div.math').length,
    images: imgs.map(i => ({src: i.getAttribute('src'), w: i.naturalWidth, h: i.naturalHeight, ok: i.complete})),
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
  };
}
"""


def find_chromium():
    """Path of a Chromium binary, or None."""
    env = os.environ.get("NPDL_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    for c in CANDIDATES:
        found = shutil.which(c) or (c if Path(c).is_file() else None)
        if found:
            return found
    return None


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("id", "name") and v:
                self.ids.add(v)


@functools.lru_cache(maxsize=None)
def _anchors(path):
    p = _Ids()
    p.feed(Path(path).read_text(encoding="utf-8", errors="replace"))
    return frozenset(p.ids)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(site):
    """(server, base URL): the folder served on localhost by a background thread."""
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def pages(site):
    """Every page a reader reaches: the home page, the lessons, search (relative paths)."""
    site = Path(site)
    found = sorted(str(p.relative_to(site)) for p in site.rglob("*.html") if not p.name.startswith("_"))
    return [p for p in found if not p.startswith("_")]


def check_link(site, base, page_url, href):
    """A problem with one link (None if it resolves or leaves the site)."""
    u = urlparse(href)
    if u.scheme not in ("http", "https") or not href.startswith(base):
        return None
    rel = unquote(u.path[len(urlparse(base).path) :])
    target = Path(site) / rel
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return f"link to {rel!r} (from {page_url}) is broken: no such file in the site"
    if u.fragment and target.suffix == ".html" and unquote(u.fragment) not in _anchors(str(target)):
        return f"link to {rel}#{u.fragment} (from {page_url}): no element with that id"
    return None


def check(site, shots=None, chromium=None, widths=WIDTHS, log=print):
    """Problems found (a list of strings; empty when every page is right)."""
    site = Path(site)
    if not (site / "index.html").is_file():
        return [f"no site in {site} (no index.html): run `make site` first"]
    chromium = chromium or find_chromium()
    if chromium is None:
        return ["no Chromium found (chromium or chromium-headless-shell on PATH, or $NPDL_CHROMIUM): "
                "run tools/install_browser.sh"]
    if shots:
        shutil.rmtree(shots, ignore_errors=True)
        Path(shots).mkdir(parents=True)
    server, base = serve(site)
    problems, links = [], set()
    try:
        # One browser per width, side by side (a process each: the pages of a long lesson take
        # seconds to render and to save as a full-page screenshot).
        ctx = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(max_workers=len(widths), mp_context=ctx) as pool:
            jobs = [pool.submit(_check_width, str(site), base, name, size, shots and str(shots), chromium, i == 0)
                    for i, (name, size) in enumerate(widths.items())]
            for job in jobs:
                found, seen, lines = job.result()
                problems += found
                links |= seen
                for line in lines:
                    log(line)
    finally:
        server.shutdown()
    for page_url, href in sorted(links):
        bad = check_link(site, base, page_url, href)
        if bad:
            problems.append(bad)
    return problems


def _check_width(site, base, name, size, shots, chromium, search):
    """(problems, links seen, log lines) of every page at one width (run in its own process)."""
    from playwright.sync_api import sync_playwright

    problems, links, lines = [], set(), []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, service_workers="block")
            for page_path in pages(site):
                found = _check_page(ctx, base + page_path, page_path, name, shots, links)
                problems += found
                lines.append(f"  {name:7s} {page_path}: " + ("ok" if not found else f"{len(found)} problem(s)"))
            ctx.close()
            if search:
                problems += _check_search(browser, base)
        finally:
            browser.close()
    return problems, links, lines


def _check_page(ctx, url, page_path, width_name, shots, links):
    page = ctx.new_page()
    problems, host = [], urlparse(url).netloc

    def where(msg):
        return f"{page_path} ({width_name}): {msg}"

    def route(r):
        if urlparse(r.request.url).netloc == host or r.request.url.startswith("data:"):
            r.continue_()
        else:
            problems.append(where(f"requests another host: {r.request.url}"))
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and problems.append(where(f"console error: {m.text}")))
    page.on("pageerror", lambda e: problems.append(where(f"uncaught exception: {e}")))
    page.on("requestfailed", lambda r: urlparse(r.url).netloc == host
            and problems.append(where(f"request failed: {r.url} ({r.failure})")))
    page.on("response", lambda r: r.status >= 400 and problems.append(where(f"HTTP {r.status}: {r.url}")))
    page.goto(url, wait_until="load")
    probe = page.evaluate(_PAGE_PROBE)
    for text in probe["raw"]:
        problems.append(where(f"formula not typeset, raw TeX left in the text: {text!r}"))
    if probe["typeset"] < probe["formulas"]:
        problems.append(where(f"only {probe['typeset']} of {probe['formulas']} formulas typeset by MathJax"))
    for text in probe["errors"]:
        problems.append(where(f"formula MathJax could not typeset: {text!r}"))
    for img in probe["images"]:
        if not img["ok"] or img["w"] == 0 or img["h"] == 0:
            problems.append(where(f"image not shown (natural size {img['w']}x{img['h']}): {img['src']}"))
    links.update((page_path, href.split("#")[0] + ("#" + href.split("#", 1)[1] if "#" in href else ""))
                 for href in probe["links"])
    if shots:
        shot = Path(shots) / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', page_path[:-5])}-{width_name}.png"
        page.screenshot(path=str(shot), full_page=True)
    page.close()
    return problems


def _check_search(browser, base):
    """The search page finds a word the lessons use (Sphinx's index, read by its own script)."""
    page = browser.new_page()
    try:
        page.goto(base + f"search.html?q={SEARCH_WORD}", wait_until="load")
        page.wait_for_selector("#search-results ul.search li", timeout=15000)
        hits = page.locator("#search-results ul.search li").count()
    except Exception as err:  # playwright's TimeoutError and friends
        return [f"search.html?q={SEARCH_WORD}: no result ({type(err).__name__})"]
    finally:
        page.close()
    return [] if hits else [f"search.html?q={SEARCH_WORD}: no result"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", default=str(ROOT / "build" / "site"))
    parser.add_argument("--shots", default=str(ROOT / "build" / "site-shots"), help="screenshots (default: build/site-shots)")
    args = parser.parse_args(argv)
    try:
        import playwright  # noqa: F401
    except ImportError:
        raise SystemExit("the browser check needs the `site` extra: pip install -e '.[site]'") from None
    problems = check(args.site, args.shots)
    for p in problems:
        print("PROBLEM", p)
    n = len(pages(args.site))
    print(f"{n} pages checked at {len(WIDTHS)} widths: {len(problems)} problem(s); screenshots in {args.shots}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
