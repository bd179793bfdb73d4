"""The yearly report as an A4 PDF, rendered the way ``checkups/report.py`` renders its reports (WeasyPrint; CJK
text in Noto from Debian's fonts-noto-cjk), from the same figures as the printable page."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template


def pdf(context: dict[str, Any], *, english: bool) -> bytes:
    """The yearly coverage report (``context``: the page's figures) as PDF."""
    from weasyprint import HTML  # imported on use: it loads Pango, which only this needs

    config = current_app.config
    html = render_template(
        "coverage/report_pdf.html",
        **context,
        park=config["PARK_NAME_EN"] if english else config["PARK_NAME"],
        firm=config["PARTNER_FIRM_NAME_EN"] if english else config["PARTNER_FIRM_NAME"],
        location=config["PARK_LOCATION"],
    )
    return HTML(string=html, base_url=current_app.root_path).write_pdf()
