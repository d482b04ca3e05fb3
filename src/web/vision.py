"""The version for the visually impaired (GOST R 52872-2019 on top of WCAG 2.1 AA): settings kept in a cookie.

Every page's header links to ``/accessibility/settings?on=1``; while it is on, a bar at the top of every page
changes the font size (normal, large 150 %, very large 200 %), the colours (black on white, white on black,
dark blue on light blue), images (shown or hidden), letter spacing and the layout (one column). The settings
become classes on ``<html>`` (see ``static/site.css``), so the pages themselves do not change and every function
keeps working; no JavaScript is needed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

from litestar.datastructures import Cookie

VISION_COOKIE = "vision"
FONTS = ("normal", "large", "xlarge")
SCHEMES = ("bw", "wb", "blue")
SPACINGS = ("normal", "wide")
LAYOUTS = ("normal", "one")
IMAGES = ("on", "off")


@dataclass(frozen=True, slots=True)
class Vision:
    on: bool = False
    font: str = "large"
    scheme: str = "bw"
    images: str = "on"
    spacing: str = "normal"
    layout: str = "normal"

    @classmethod
    def from_cookie(cls, value: str | None) -> "Vision":
        """``large.bw.on.normal.normal`` (font, scheme, images, spacing, layout); anything else means off."""
        parts = (value or "").split(".")
        if len(parts) != 5:
            return cls()
        font, scheme, images, spacing, layout = parts
        if font not in FONTS or scheme not in SCHEMES or images not in IMAGES or spacing not in SPACINGS or layout not in LAYOUTS:
            return cls()
        return cls(True, font, scheme, images, spacing, layout)

    def cookie_value(self) -> str:
        return ".".join((self.font, self.scheme, self.images, self.spacing, self.layout))

    def changed(self, choices: Mapping[str, str]) -> "Vision":
        """Apply the valid choices of a settings link (``font=xlarge``, ``scheme=wb``, ...); switching on keeps the rest."""
        allowed = {"font": FONTS, "scheme": SCHEMES, "images": IMAGES, "spacing": SPACINGS, "layout": LAYOUTS}
        updates = {key: value for key, value in choices.items() if key in allowed and value in allowed[key]}
        return replace(self, on=True, **updates)

    @property
    def classes(self) -> str:
        """The classes on ``<html>``: ``vi vi-font-large vi-scheme-bw vi-big``, plus ``vi-no-images vi-wide vi-one``."""
        if not self.on:
            return ""
        names = ["vi", f"vi-font-{self.font}", f"vi-scheme-{self.scheme}"]
        if self.font != "normal":
            names.append("vi-big")  # the header keeps its compact bar with a menu at any width
        if self.images == "off":
            names.append("vi-no-images")
        if self.spacing == "wide":
            names.append("vi-wide")
        if self.layout == "one":
            names.append("vi-one")
        return " ".join(names)


def vision_cookie(vision: Vision, secure: bool) -> Cookie:
    if not vision.on:
        return Cookie(key=VISION_COOKIE, value="", max_age=0, httponly=True, samesite="lax", secure=secure, path="/")
    return Cookie(key=VISION_COOKIE, value=vision.cookie_value(), max_age=365 * 24 * 3600, httponly=True, samesite="lax", secure=secure, path="/")
