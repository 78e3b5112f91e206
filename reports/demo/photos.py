"""Street-scene JPEGs drawn with Pillow, so the demo has photos without downloading any."""

import io

from PIL import Image, ImageDraw

# A colour for the thing the photo is about, by category.
SUBJECT_COLOURS = {
    "garbage": (92, 110, 60),
    "flooding": (120, 100, 70),
    "fallen-tree": (40, 110, 40),
    "pothole": (60, 55, 50),
    "sidewalk-encroachment": (200, 60, 50),
    "broken-streetlight": (230, 210, 90),
}


def street_photo(rng, category_code, taken_at, size=(960, 720)):
    """JPEG bytes of a street with buildings, a road and the subject of the report; EXIF names a camera so the
    public variant has something to strip."""
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.38, 0.48))
    for y in range(horizon):
        shade = int(160 + 70 * y / horizon)
        draw.line([(0, y), (width, y)], fill=(shade - 40, shade - 10, 255))
    x = 0
    while x < width:
        w = rng.randint(90, 200)
        top = horizon - rng.randint(80, 220)
        colour = rng.choice([(228, 200, 140), (240, 230, 210), (200, 170, 120), (180, 190, 200), (235, 215, 170)])
        draw.rectangle([x, top, x + w, horizon], fill=colour)
        for wx in range(x + 12, x + w - 20, 36):
            for wy in range(top + 15, horizon - 25, 40):
                draw.rectangle([wx, wy, wx + 18, wy + 22], fill=(90, 110, 130))
        x += w + rng.randint(0, 12)
    sidewalk = horizon + int(height * 0.12)
    draw.rectangle([0, horizon, width, sidewalk], fill=(170, 160, 150))
    draw.rectangle([0, sidewalk, width, height], fill=(85, 85, 90))
    for lx in range(0, width, 120):
        draw.rectangle([lx + 20, (sidewalk + height) // 2, lx + 80, (sidewalk + height) // 2 + 8], fill=(235, 235, 235))
    colour = SUBJECT_COLOURS.get(category_code, (180, 80, 60))
    cx, cy = rng.randint(width // 4, 3 * width // 4), rng.randint(sidewalk - 30, height - 120)
    for _ in range(rng.randint(4, 9)):
        dx, dy, r = rng.randint(-90, 90), rng.randint(-30, 40), rng.randint(25, 60)
        jitter = tuple(max(0, min(255, c + rng.randint(-25, 25))) for c in colour)
        draw.ellipse([cx + dx - r, cy + dy - r // 2, cx + dx + r, cy + dy + r // 2], fill=jitter)
    draw.text((16, height - 28), taken_at.strftime("%Y-%m-%d %H:%M"), fill=(255, 200, 0))
    exif = Image.Exif()
    exif[0x010F] = "huesmart demo"  # Make
    exif[0x0110] = "street scene"  # Model
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, exif=exif)
    return out.getvalue()
