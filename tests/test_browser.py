"""The hostile reports in a real browser: nothing runs, and the charts are drawn.

``make test`` installs Debian's ``chromium`` first (``make browser``); where it cannot, these
tests skip and say so. Each report is loaded once, headless, with ``--dump-dom`` (the DOM after
load) and ``--screenshot`` (1000×4000 px, which reaches the first charts of both pages), and the
browser's console goes to stderr. The payloads in ``fixtures/hostile_names.csv`` would set the
title to PWNED or add a ``<pwned>`` element if they ran; a control page with the same payloads
unescaped shows that this harness sees both, and that it sees a CSP violation when one happens.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from anchorspend.report import svg as charts
from anchorspend.report.compare import charts as ch
from tests.helpers import FIXTURES, invoke

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NO_BROWSER = (
    "chromium is not installed, so the reports were NOT checked in a browser "
    "(`make test` installs Debian's chromium through `make browser`; apt-get could not)"
)
# As root, without a sandbox, and with nothing that would reach for the network.
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    "--enable-logging=stderr",
    "--v=0",
]
WIDTH, HEIGHT = 1000, 4000
PAYLOADS = [
    "<script>document.title='PW'+'NED'</script>",
    "<img src=x onerror=\"document.body.appendChild(document.createElement('pw'+'ned'))\">",
]
CSP = "Content Security Policy"


@dataclass
class Loaded:
    source: str  # the file as written
    dom: str
    console: list[str]  # the page's console messages, as chromium logs them
    png: Path


def _launch(url: str, profile: Path, png: Path) -> subprocess.Popen[str]:
    assert CHROMIUM is not None
    size, shot = f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={png}"
    return subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", size, shot, "--dump-dom", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen[str], page: Path, png: Path) -> Loaded:
    try:
        dom, log = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, log[-3000:]
    return Loaded(
        page.read_text(encoding="utf-8"),
        dom,
        [line for line in log.splitlines() if ":CONSOLE" in line],
        png,
    )


# Long supplier names, upper case (the widest letters most exports use): the top-suppliers
# chart must draw every label inside the picture, not clip its first letters.
LONG_LABELS = [
    "GREATER MANCHESTER COMBINED AUTHORITY",
    "MANCHESTER UNIVERSITY NHS FOUNDATION TRUST",
    "Greater Manchester Combined Authority",
    "WOMEN'S AID FEDERATION OF ENGLAND LIMITED",
]
_LABELS_PAGE = """<!DOCTYPE html><html><head><title>labels</title></head><body>{svg}
<p id="extent"></p><script>
const box = [...document.querySelectorAll("svg text")].map(t => t.getBBox());
const svg = document.querySelector("svg").viewBox.baseVal;
document.getElementById("extent").textContent =
  "left=" + Math.min(...box.map(b => b.x)) + " right=" + Math.max(...box.map(b => b.x + b.width))
  + " width=" + svg.width;
</script></body></html>"""


def _long_label_chart() -> str:
    bars = [charts.Bar(name, Decimal(1000 - 100 * i)) for i, name in enumerate(LONG_LABELS)]
    return str(charts.hbar_chart("top", bars, "Top suppliers", "long names"))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Loaded]:
    """Every page at once (two cores do it in about the time of one)."""
    if CHROMIUM is None:
        pytest.skip(NO_BROWSER)
    root = tmp_path_factory.mktemp("browser")
    pages: dict[str, Path] = {}
    for command in ("analyse", "compare"):
        out = root / command
        args = ["--lookup", str(FIXTURES / "hostile_names_lookup.csv"), "--out", str(out), "-q"]
        result = invoke(command, str(FIXTURES / "hostile_names.csv"), *args)
        assert result.exit_code == 0, result.stderr
        pages[command] = out / "report.html"
    meta = re.search(
        r"<meta http-equiv=\"Content-Security-Policy\"[^>]*>",
        pages["analyse"].read_text(encoding="utf-8"),
    )
    assert meta is not None
    control = f"<!DOCTYPE html><html><head>{{}}<title>control</title></head><body><p>x</p>{''.join(PAYLOADS)}</body></html>"  # noqa: E501
    pages["control"] = root / "control.html"
    pages["control"].write_text(control.format(""), encoding="utf-8")
    pages["control-csp"] = root / "control-csp.html"
    pages["control-csp"].write_text(control.format(meta[0]), encoding="utf-8")
    pages["labels"] = root / "labels.html"
    pages["labels"].write_text(_LABELS_PAGE.format(svg=_long_label_chart()), encoding="utf-8")
    running = {
        name: _launch(page.as_uri(), root / f"profile-{name}", root / f"{name}.png")
        for name, page in pages.items()
    }
    return {
        name: _finish(proc, pages[name], root / f"{name}.png") for name, proc in running.items()
    }


# ---------------------------------------------------------------- the harness can see a hit


def test_the_harness_sees_payloads_run_and_the_policy_block_them(
    loaded: dict[str, Loaded],
) -> None:
    bare = loaded["control"]
    assert "<title>PWNED</title>" in bare.dom and "<pwned></pwned>" in bare.dom
    assert not any(CSP in line for line in bare.console)
    held = loaded["control-csp"]
    assert "<title>control</title>" in held.dom and "<pwned" not in held.dom
    blocked = [line for line in held.console if CSP in line]
    assert any("inline script" in line for line in blocked)
    assert any("inline event handler" in line for line in blocked)


# ---------------------------------------------------------------- the reports


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.tags: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def page(html: str) -> Page:
    p = Page()
    p.feed(html)
    p.close()
    return p


@pytest.mark.parametrize("command", ["analyse", "compare"])
def test_nothing_from_the_data_runs_and_the_policy_has_nothing_to_block(
    loaded: dict[str, Loaded], command: str
) -> None:
    shown = loaded[command]
    source = page(shown.source)
    after = page(shown.dom)
    assert after.title == source.title and "PWNED" not in after.title
    assert "<pwned" not in shown.dom.lower()
    assert "pwned" not in after.tags and "script" not in after.tags and "img" not in after.tags
    for tag in ("svg", "figure", "table", "section"):
        assert after.tags.count(tag) == source.tags.count(tag) > 0, tag  # nothing added or lost
    assert shown.console == []  # no CSP violation, no error: our own markup needs nothing more


# ---------------------------------------------------------------- the charts are drawn


def read_png(path: Path) -> np.ndarray:
    """An 8-bit RGB or RGBA PNG as an array (height, width, 3): zlib and the five row filters."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, [], b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat.append(body)
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = zlib.decompress(b"".join(idat))
    assert len(raw) == height * (stride + 1)
    out = np.zeros((height, stride), np.uint8)
    prior = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:
            line = bytearray(np.frombuffer(line, np.uint8) + np.frombuffer(prior, np.uint8))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + (left + prior[i]) // 2) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prior[i], (prior[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out[y] = np.frombuffer(line, np.uint8)
        prior = line
    return out.reshape(height, width, bpp)[:, :, :3]


def colours(image: np.ndarray) -> dict[str, int]:
    packed = (image[:, :, 0].astype(np.uint32) << 16) | (image[:, :, 1].astype(np.uint32) << 8)
    packed |= image[:, :, 2]
    values, counts = np.unique(packed, return_counts=True)
    return {f"#{int(v):06x}": int(n) for v, n in zip(values, counts, strict=True)}


def test_png_reader_reads_a_known_image(tmp_path: Path) -> None:
    """Two rows, filters Sub and Paeth, checked against pixels worked out by hand."""
    row1 = bytes([1, 10, 20, 30, 5, 5, 5])  # Sub: (10,20,30), (15,25,35)
    row2 = bytes([4, 1, 1, 1, 0, 0, 0])  # Paeth: (11,21,31), then a=11,b=15,c=10 → b: (15,25,35)
    ihdr = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(row1 + row2))
    (tmp_path / "t.png").write_bytes(png + chunk(b"IEND", b""))
    image = read_png(tmp_path / "t.png")
    assert image.tolist() == [[[10, 20, 30], [15, 25, 35]], [[11, 21, 31], [15, 25, 35]]]


@pytest.mark.parametrize(
    ("command", "chart_colours"),
    [
        # the share bars: "yes" and "known not to"; blue is also the links' colour
        ("analyse", {charts.FILL_COLOURS[0]: 5000, charts.FILL_COLOURS[1]: 1000}),
        # the heat table's darker steps, which nothing else on the page uses
        ("compare", {s.background: 1000 for s in ch.HEAT_STEPS[2:5]}),
    ],
)
def test_the_charts_are_drawn(
    loaded: dict[str, Loaded], command: str, chart_colours: dict[str, int]
) -> None:
    image = read_png(loaded[command].png)
    assert image.shape == (HEIGHT, WIDTH, 3)
    seen = colours(image)
    white = seen.get("#ffffff", 0)
    assert white < 0.97 * HEIGHT * WIDTH  # not a blank page
    assert len(seen) > 200  # text, lines and fills, anti-aliased
    for colour, least in chart_colours.items():
        assert seen.get(colour, 0) >= least, (colour, seen.get(colour, 0))


def test_long_supplier_names_are_drawn_inside_the_chart(loaded: dict[str, Loaded]) -> None:
    """The browser measures each label as drawn: none starts left of the picture or runs past
    its right edge (a 32-character upper-case name once lost its first letter)."""
    found = re.search(r"left=([-\d.]+) right=([-\d.]+) width=([\d.]+)", loaded["labels"].dom)
    assert found is not None, loaded["labels"].dom[-500:]
    left, right, width = (float(x) for x in found.groups())
    assert left >= 0
    assert right <= width


# ---------------------------------------------------------------- the first screen

SCREEN = (1280, 800)
# The measurement page: the report with its policy taken out and this script added, which
# writes where the browser drew the title and the first section.
_MEASURE = """<script>
const first = document.querySelector("section");
const box = first.getBoundingClientRect();
const out = document.createElement("p");
out.id = "measured";
out.textContent = "first=" + first.id + " heading=" + first.querySelector("h2").textContent
  + " h2=" + document.querySelector("h2").closest("section").id
  + " h1=" + document.querySelector("h1").getBoundingClientRect().bottom
  + " top=" + box.top + " bottom=" + box.bottom
  + " width=" + window.innerWidth + " height=" + window.innerHeight;
document.body.appendChild(out);
</script>"""


@pytest.fixture(scope="module", params=["analyse", "compare"])
def first_screen(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Loaded, Loaded]:
    """The examples' report (`analyse` as `make demo` writes it, and `compare` of the same) at
    1280×800: as shipped, screenshot; and measured by a script in a copy."""
    if CHROMIUM is None:
        pytest.skip(NO_BROWSER)
    root = tmp_path_factory.mktemp("first-screen")
    examples = FIXTURES.parent.parent / "examples"
    result = invoke(
        request.param,
        str(examples / "spend"),
        "--lookup",
        str(examples / "lookups" / "suppliers.csv"),
        "--config",
        str(examples / "anchorspend.toml"),
        "--out",
        str(root / "out"),
        "-q",
    )
    assert result.exit_code == 0, result.stderr
    page_ = root / "out" / "report.html"
    html = page_.read_text(encoding="utf-8")
    measure = root / "measure.html"
    measure.write_text(
        re.sub(r"<meta http-equiv=\"Content-Security-Policy\"[^>]*>", "", html).replace(
            "</body>", _MEASURE + "</body>"
        ),
        encoding="utf-8",
    )
    running = {}
    for name, p in (("report", page_), ("measure", measure)):
        png = root / f"{name}.png"
        size = f"--window-size={SCREEN[0]},{SCREEN[1]}"
        running[name] = (
            subprocess.Popen(
                [
                    CHROMIUM,
                    *FLAGS,
                    f"--user-data-dir={root / f'profile-{name}'}",
                    size,
                    f"--screenshot={png}",
                    "--dump-dom",
                    p.as_uri(),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
            p,
            png,
        )
    shot, measured = (_finish(*running[name]) for name in ("report", "measure"))
    return shot, measured


def test_at_a_glance_is_the_first_section_and_fits_the_first_screen(
    first_screen: tuple[Loaded, Loaded],
) -> None:
    shot, measured = first_screen
    found = re.search(
        r"first=(\S+) heading=(.+?) h2=(\S+) h1=([\d.]+) top=([\d.]+) bottom=([\d.]+) "
        r"width=(\d+) height=(\d+)",
        measured.dom,
    )
    assert found is not None, measured.dom[-500:]
    first, heading, first_h2 = found.group(1, 2, 3)
    h1, top, bottom = (float(x) for x in found.group(4, 5, 6))
    assert (first, heading, first_h2) == ("at-a-glance", "At a glance", "at-a-glance")
    # laid out 1280 wide (headless chromium leaves less height to the page in a --dump-dom run
    # than the screenshot's 800, and nothing on the page depends on the height)
    assert int(found[7]) == SCREEN[0] and 0 < int(found[8]) <= SCREEN[1]
    assert h1 <= top < bottom <= SCREEN[1]  # under the title, and whole in the first screenful
    # the page as shipped, drawn: the section's own background fills the band it was measured in
    css = (
        FIXTURES.parent.parent / "src" / "anchorspend" / "report" / "templates" / "_glance.html.j2"
    ).read_text(encoding="utf-8")
    background = re.search(r"section\.glance \{ background: (#[0-9a-f]{6});", css)
    assert background is not None
    image = read_png(shot.png)
    assert image.shape == (SCREEN[1], SCREEN[0], 3)
    packed = (image[:, :, 0].astype(np.uint32) << 16) | (image[:, :, 1].astype(np.uint32) << 8)
    mask = (packed | image[:, :, 2]) == int(background[1][1:], 16)
    rows = np.nonzero(mask.any(axis=1))[0]
    assert mask.sum() > 0.3 * SCREEN[0] * (bottom - top)  # most of the band, between the text
    assert abs(rows[0] - top) <= 1 and abs(rows[-1] + 1 - bottom) <= 1
