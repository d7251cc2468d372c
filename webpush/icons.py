"""Draws the app icons of the installable portal (static/webpush/): the site's
mark, white "PO" on the header's blue, as a round icon and as a maskable one
(the whole square filled, the mark inside the central safe zone, so a phone may
cut any shape out of it). Run again after changing the design:

    python -m webpush.icons
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BLUE = "#0b4f8a"  # --c-primary, the site header
WHITE = "#ffffff"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
OUT = Path(__file__).resolve().parent.parent / "static" / "webpush"


def _font(size: int):
    try:
        return ImageFont.truetype(FONT, size)
    except OSError:
        return ImageFont.load_default(size)


def draw_icon(size: int, *, maskable: bool = False) -> Image.Image:
    image = Image.new("RGBA", (size, size), BLUE if maskable else (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if not maskable:
        draw.ellipse((0, 0, size - 1, size - 1), fill=BLUE)
    # The maskable icon keeps the text within the 80 % safe circle.
    text_size = int(size * (0.32 if maskable else 0.40))
    draw.text((size / 2, size / 2), "PO", fill=WHITE, font=_font(text_size), anchor="mm")
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw_icon(size).save(OUT / f"icon-{size}.png", optimize=True)
    draw_icon(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)
    # iOS home screen: a square 180 px icon, no transparency.
    draw_icon(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
