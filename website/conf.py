"""Sphinx configuration of the course website (`make site`; tools/build_site.py writes the sources).

The pages render the notebooks' stored outputs (nothing is executed). MathJax 4 is served from the
site itself (copied from the npm package by tools/build_site.py), so neither the build nor a reader
needs the network. tools/build_site.py writes site_settings.json beside this file: the repository
the "Open in Colab" buttons open and whether this is the instructor's build with solutions.
"""
import json
from pathlib import Path

settings = json.loads((Path(__file__).parent / "site_settings.json").read_text(encoding="utf-8"))

project = "NumPy Deep Learning Notebooks"
author = "the course authors"
copyright = "the course authors, MIT License"
html_title = project + (" (instructor build, with solutions)" if settings["solutions"] else "")

extensions = ["myst_nb"]
myst_enable_extensions = ["dollarmath", "amsmath"]
nb_execution_mode = "off"  # the stored outputs, exactly as the notebooks keep them
nb_merge_streams = True
exclude_patterns = ["_build", "site_settings.json", "**.ipynb_checkpoints"]
suppress_warnings = []

# MathJax 4 from the site itself: _static/mathjax (the npm package `mathjax`) and its font,
# _static/mathjax-fonts/mathjax-newcm-font. "[mathjax]" is the folder tex-chtml.js was loaded from.
mathjax_path = "mathjax/tex-chtml.js"
mathjax4_config = {
    "loader": {"paths": {"fonts": "[mathjax]/../mathjax-fonts"}},
    # An unknown macro is an error MathJax shows as such (not a red name a reader may miss), so
    # that the browser test sees it.
    "tex": {"packages": {"[-]": ["noundefined"]}},
    "options": {
        "enableSpeech": False,  # the speech and Braille rules would be fetched from a CDN
        "enableBraille": False,
        "enableEnrichment": False,
        "menuOptions": {"settings": {"speech": False, "braille": False, "enrich": False}},
    },
}

html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_favicon = "_static/favicon.svg"
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
# Light or dark as the reader's system is set, on every page (the index page had no mode and
# its script logged an error).
html_context = {"default_mode": "auto"}
html_theme_options = {
    "repository_url": settings["repository_url"],
    "repository_branch": "main",
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": False,
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "launch_buttons": {"colab_url": "https://colab.research.google.com"},
    "navigation_with_keys": False,
}
