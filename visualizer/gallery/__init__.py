"""The lecture-proof check and the gallery: every chapter scene and every room laid out
at every lecture screen, language and presentation zoom (issue 16).

``plan.py`` (Qt-free) names the combinations and which of them ``make test`` runs;
``stage.py`` applies a scene to a window once per language and re-lays it out per
screen and zoom (no model re-runs); ``fit_rules.py`` checks the geometry of what is
on screen, without grabbing pixels; ``gallery.py`` writes the PNGs and ``index_page.py``
the page that groups them.
"""
