"""An organisation's logo, checked before it is kept: a PNG as it is (its signature and size
read), an SVG rebuilt from an allow-list of drawing elements and attributes, so no script,
event handler, external reference or embedded document survives."""
from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET  # only to build the clean copy; parsing is defusedxml's

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from flask_babel import gettext as _

MAX_BYTES = 256 * 1024
MAX_SIDE = 4096  # pixels, for a PNG
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ELEMENTS = {"svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
            "text", "tspan", "title", "desc", "defs", "lineargradient", "radialgradient",
            "stop", "clippath", "use"}
ATTRIBUTES = {
    "viewbox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx",
    "ry", "d", "points", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width",
    "stroke-opacity", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit",
    "stroke-dasharray", "opacity", "transform", "id", "offset", "stop-color", "stop-opacity",
    "gradientunits", "gradienttransform", "clip-path", "clip-rule", "font-family",
    "font-size", "font-weight", "text-anchor", "dominant-baseline", "preserveaspectratio",
    "href", "x-height", "dx", "dy", "letter-spacing",
}
# A value may point only inside the file (url(#id)); nothing may fetch or run anything.
UNSAFE_VALUE = re.compile(r"javascript:|data:|url\((?!\s*#)|@import|expression\(|&#", re.I)


class LogoError(ValueError):
    """Why a file cannot be the logo, in words for the person who uploaded it (in their
    language: raised while their request is handled)."""


def checked(data: bytes) -> tuple[bytes, str]:
    """The logo to keep and its media type, or LogoError."""
    if not data:
        raise LogoError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise LogoError(_("The file is %(size)d KB; a logo may be at most %(limit)d KB.",
                          size=len(data) // 1024, limit=MAX_BYTES // 1024))
    if data.startswith(PNG_SIGNATURE):
        return _png(data), "image/png"
    if b"<svg" in data[:4096]:
        return _svg(data), "image/svg+xml"
    raise LogoError(_("A logo must be a PNG or an SVG file."))


def _png(data: bytes) -> bytes:
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise LogoError(_("The PNG file is damaged: it has no image header."))
    width, height = struct.unpack(">II", data[16:24])
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise LogoError(_("The image is %(width)d x %(height)d pixels; at most %(most)d a side.",
                          width=width, height=height, most=MAX_SIDE))
    if not data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82"):
        raise LogoError(_("The PNG file is cut short: it does not end where a PNG ends."))
    return data


def _svg(data: bytes) -> bytes:
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True,
                                 forbid_external=True)
    except (DefusedXmlException, ET.ParseError, ValueError) as exc:
        raise LogoError(_("The SVG file cannot be read safely (%(reason)s); export it again "
                          "as plain SVG.", reason=exc.__class__.__name__)) from None
    if _local(root.tag) != "svg":
        raise LogoError(_("The file's outermost element is not <svg>."))
    clean = _copy(root)
    if clean is None:
        raise LogoError(_("Nothing in the SVG file could be kept."))
    ET.register_namespace("", SVG_NS)
    return ET.tostring(clean, encoding="utf-8", xml_declaration=False)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _copy(element) -> ET.Element | None:
    """The element with only allowed attributes and children; None if it is not allowed."""
    tag = _local(element.tag)
    if tag not in ELEMENTS:
        return None
    kept = ET.Element(f"{{{SVG_NS}}}{_proper(tag)}")
    for name, value in element.attrib.items():
        local = _local(name)
        if local not in ATTRIBUTES or UNSAFE_VALUE.search(value):
            continue
        if local == "href" and not value.startswith("#"):
            continue  # <use> may only repeat a shape of this file
        kept.set(f"{{{XLINK_NS}}}href" if name.startswith(f"{{{XLINK_NS}}}") else
                 _proper(local), value)
    if tag in ("text", "tspan", "title", "desc"):
        kept.text = element.text
    for child in element:
        copied = _copy(child)
        if copied is not None:
            copied.tail = child.tail if tag in ("text", "tspan") else None
            kept.append(copied)
    return kept


_CASED = {"viewbox": "viewBox", "lineargradient": "linearGradient",
          "radialgradient": "radialGradient", "clippath": "clipPath",
          "gradientunits": "gradientUnits", "gradienttransform": "gradientTransform",
          "preserveaspectratio": "preserveAspectRatio"}


def _proper(name: str) -> str:
    return _CASED.get(name, name)
