"""Branding: an administrator sets the organisation's name, accent colour and logo; every page
shows them; a logo keeps only drawing, and bad input changes nothing and says why."""
from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from conftest import login

from trainer.logos import LogoError, checked

SAFE_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20">'
            b'<rect width="40" height="20" fill="#123456"/><text x="2" y="14">Acme</text></svg>')


def png(width: int = 2, height: int = 1) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                                0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


HOSTILE = [
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="9"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><iframe src="https://x.test">'
    b'</iframe></foreignObject><rect width="9"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
    b'<use xlink:href="https://x.test/a.svg#b"/><rect width="9" fill="url(https://x.test/p)"/>'
    b'</svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect width="9"/>'
    b'</a><style>@import url(https://x.test/a.css);</style><rect width="9"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/png;base64,AAAA"/>'
    b'<rect width="9" style="fill: red"/></svg>',
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_an_svg_logo_keeps_only_drawing(hostile):
    kept, media_type = checked(hostile)
    assert media_type == "image/svg+xml"
    text = kept.decode()
    for banned in ("script", "onload", "foreignObject", "iframe", "https:", "javascript",
                   "data:", "style", "@import", "<image", "<a "):
        assert banned not in text, (banned, text)
    assert "<rect" in text


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"GIF89a......", "must be a PNG or an SVG"),
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
     b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>', "cannot be read safely"),
    (b'<!DOCTYPE svg SYSTEM "file:///etc/passwd"><svg/>', "cannot be read safely"),
    (b"<svg", "cannot be read safely"),
    (b'<html><svg xmlns="http://www.w3.org/2000/svg"/></html>', "outermost element"),
    (png()[:40], "cut short"),
    (png(5000, 1), "5000 x 1 pixels"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 300_000, "256 KB"),
])
def test_a_file_that_cannot_be_a_logo_is_refused_with_a_reason(data, message):
    with pytest.raises(LogoError, match=message):
        checked(data)


def test_a_png_logo_is_kept_as_it_is():
    assert checked(png()) == (png(), "image/png")


def save(client, data: dict, logo: tuple[bytes, str] | None = None):
    form = dict(data)  # the CSRF token is tested for every form in tests/security
    if logo:
        form["logo"] = (io.BytesIO(logo[0]), logo[1])
    return client.post("/admin/branding", data=form, content_type="multipart/form-data",
                       follow_redirects=True)


@pytest.fixture
def admin(app, people):
    client = app.test_client()
    login(client, "ada")
    return client


def test_the_administrator_brands_every_page(app, admin, people):
    page = save(admin, {"name": "Acme Tours", "accent": "#0B5A3A"}, (SAFE_SVG, "acme.svg")).text
    assert "The branding is saved" in page
    version = re.search(r'src="/brand/logo\?v=(\d+)"', page)[1]
    anyone = app.test_client()  # the sign-in page is branded too
    login_page = anyone.get("/login").text
    assert '<span class="org">Acme Tours</span>' in login_page
    assert f'href="/brand/style.css?v={version}"' in login_page
    css = anyone.get(f"/brand/style.css?v={version}")
    assert css.text == ":root { --accent: #0b5a3a; --accent-ink: #ffffff; }\n"
    assert css.headers["Content-Type"].startswith("text/css")
    logo = anyone.get(f"/brand/logo?v={version}")
    assert logo.headers["Content-Type"] == "image/svg+xml"
    assert logo.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert b"<rect" in logo.data and b"Acme" in logo.data
    # A new logo is a new address; removing it removes it everywhere.
    page = save(admin, {"name": "Acme Tours", "accent": "#0b5a3a"}, (png(), "acme.png")).text
    assert f"/brand/logo?v={version}" not in page
    assert anyone.get("/brand/logo").headers["Content-Type"] == "image/png"
    page = save(admin, {"name": "", "accent": "", "remove_logo": "y"}).text
    assert "/brand/logo" not in page and "/brand/style.css" not in page
    assert anyone.get("/brand/logo").status_code == 404


@pytest.mark.parametrize("data, logo, message", [
    ({"accent": "#ffee00"}, None, "hard to read on white (contrast 1.2 to 1"),
    ({"accent": "red"}, None, "# and six hex digits"),
    ({"accent": "#0b5a3a"}, (b"GIF89a", "logo.png"), "must be a PNG or an SVG"),
    ({"accent": "#0b5a3a"}, (SAFE_SVG, "logo.gif"), "A .png or .svg file"),
    ({"name": "x" * 121}, None, "At most 120 characters."),
])
def test_bad_branding_changes_nothing_and_says_why(app, admin, data, logo, message):
    save(admin, {"name": "Before", "accent": "#0b5a3a"})
    page = save(admin, {"name": "After", **data}, logo).text
    assert message in page
    assert '<span class="org">Before</span>' in app.test_client().get("/login").text
