"""Hue's wards as approximate centre points, cut into contiguous polygons. Pure data and geometry, no database.

The centres are close to the real wards; the boundaries are a Voronoi diagram of the centres clipped to an
outline of the city, which looks like a ward map without pretending to be the official one.
"""

from dataclasses import dataclass
from functools import lru_cache

import shapely
from shapely.geometry import MultiPoint, Point, Polygon, mapping

# Coordinates are kept to 6 decimals (about 10 cm), the precision of Case.latitude / longitude.
GRID = 1e-6

CITY = {"code": "hue", "name_vi": "Thành phố Huế", "name_en": "Hue City"}

# (longitude, latitude), clockwise from the west bank of the Perfume River upstream of Thiên Mụ.
CITY_OUTLINE = [
    (107.528, 16.452),
    (107.533, 16.468),
    (107.540, 16.482),
    (107.552, 16.495),
    (107.566, 16.503),
    (107.580, 16.510),
    (107.596, 16.505),
    (107.607, 16.496),
    (107.618, 16.485),
    (107.630, 16.474),
    (107.636, 16.462),
    (107.632, 16.449),
    (107.620, 16.442),
    (107.606, 16.433),
    (107.592, 16.428),
    (107.578, 16.424),
    (107.563, 16.428),
    (107.550, 16.434),
    (107.538, 16.442),
]


@dataclass(frozen=True)
class Ward:
    code: str
    name_vi: str
    name_en: str
    latitude: float
    longitude: float
    streets: tuple[str, ...]
    landmarks: tuple[str, ...] = ()


WARDS = (
    Ward("kim-long", "Kim Long", "Kim Long", 16.4625, 107.5540, ("Kim Long", "Nguyễn Phúc Nguyên", "Văn Thánh")),
    Ward(
        "huong-long",
        "Hương Long",
        "Huong Long",
        16.4560,
        107.5410,
        ("Nguyễn Phúc Nguyên", "Lịch Đợi"),
        ("chùa Thiên Mụ", "bến thuyền chùa Thiên Mụ"),
    ),
    Ward("huong-so", "Hương Sơ", "Huong So", 16.4890, 107.5660, ("Tản Đà", "Lý Thái Tổ", "Nguyễn Văn Linh")),
    Ward("an-hoa", "An Hòa", "An Hoa", 16.4840, 107.5500, ("Lý Thái Tổ", "Nguyễn Văn Linh"), ("ngã tư An Hòa",)),
    Ward(
        "huong-vinh",
        "Hương Vinh",
        "Huong Vinh",
        16.4990,
        107.5790,
        ("Nguyễn Văn Linh", "Bao Vinh"),
        ("phố cổ Bao Vinh",),
    ),
    Ward("tay-loc", "Tây Lộc", "Tay Loc", 16.4775, 107.5695, ("Nguyễn Trãi", "Lê Thánh Tôn", "Đặng Dung")),
    Ward("thuan-loc", "Thuận Lộc", "Thuan Loc", 16.4790, 107.5810, ("Tăng Bạt Hổ", "Lê Thánh Tôn", "Đinh Tiên Hoàng")),
    Ward("thuan-hoa", "Thuận Hòa", "Thuan Hoa", 16.4655, 107.5690, ("Lê Duẩn", "Đoàn Thị Điểm", "Ngô Đức Kế")),
    Ward(
        "thuan-thanh",
        "Thuận Thành",
        "Thuan Thanh",
        16.4700,
        107.5800,
        ("Đinh Tiên Hoàng", "Mai Thúc Loan", "Lê Huân", "Đặng Thái Thân", "Đoàn Thị Điểm"),
        ("cổng Ngọ Môn", "Kỳ Đài", "cửa Thượng Tứ"),
    ),
    Ward(
        "dong-ba",
        "Đông Ba",
        "Dong Ba",
        16.4735,
        107.5900,
        ("Trần Hưng Đạo", "Huỳnh Thúc Kháng", "Phan Đăng Lưu"),
        ("chợ Đông Ba", "bến thuyền Tòa Khâm", "cửa Đông Ba"),
    ),
    Ward("phu-hiep", "Phú Hiệp", "Phu Hiep", 16.4810, 107.5960, ("Chi Lăng", "Nguyễn Chí Thanh", "Huỳnh Thúc Kháng")),
    Ward("phu-hau", "Phú Hậu", "Phu Hau", 16.4890, 107.5930, ("Chi Lăng", "Nguyễn Chí Thanh", "Nguyễn Gia Thiều")),
    Ward(
        "gia-hoi",
        "Gia Hội",
        "Gia Hoi",
        16.4745,
        107.5990,
        ("Chi Lăng", "Bạch Đằng", "Nguyễn Du"),
        ("phố cổ Gia Hội", "cầu Gia Hội"),
    ),
    Ward(
        "vy-da",
        "Vỹ Dạ",
        "Vy Da",
        16.4700,
        107.6100,
        ("Nguyễn Sinh Cung", "Phạm Văn Đồng", "Nguyễn Lộ Trạch"),
        ("cồn Hến",),
    ),
    Ward(
        "phu-hoi",
        "Phú Hội",
        "Phu Hoi",
        16.4655,
        107.5965,
        ("Lê Lợi", "Phạm Ngũ Lão", "Chu Văn An", "Võ Thị Sáu", "Nguyễn Tri Phương", "Hùng Vương"),
        ("phố đi bộ Phạm Ngũ Lão", "bến thuyền Lê Lợi", "công viên Thương Bạc"),
    ),
    Ward(
        "vinh-ninh",
        "Vĩnh Ninh",
        "Vinh Ninh",
        16.4630,
        107.5860,
        ("Lê Lợi", "Nguyễn Huệ", "Hà Nội", "Lý Thường Kiệt"),
        ("cầu Trường Tiền", "công viên Phú Xuân"),
    ),
    Ward(
        "phu-nhuan",
        "Phú Nhuận",
        "Phu Nhuan",
        16.4585,
        107.5920,
        ("Hùng Vương", "Đống Đa", "Nguyễn Huệ", "Bến Nghé", "Nguyễn Thái Học"),
    ),
    Ward(
        "xuan-phu", "Xuân Phú", "Xuan Phu", 16.4640, 107.6045, ("Bà Triệu", "Dương Văn An", "Nguyễn Lộ Trạch", "Tố Hữu")
    ),
    Ward(
        "an-cuu", "An Cựu", "An Cuu", 16.4540, 107.6005, ("Hùng Vương", "Phan Chu Trinh", "Ngự Bình"), ("chợ An Cựu",)
    ),
    Ward("an-dong", "An Đông", "An Dong", 16.4550, 107.6130, ("Tôn Đức Thắng", "An Dương Vương", "Hoàng Quốc Việt")),
    Ward("thuy-van", "Thủy Vân", "Thuy Van", 16.4640, 107.6230, ("Võ Nguyên Giáp", "Tố Hữu")),
    Ward(
        "phuoc-vinh",
        "Phước Vĩnh",
        "Phuoc Vinh",
        16.4540,
        107.5860,
        ("Phan Bội Châu", "Trần Phú", "Nguyễn Trường Tộ"),
        ("chợ Bến Ngự",),
    ),
    Ward("truong-an", "Trường An", "Truong An", 16.4520, 107.5770, ("Điện Biên Phủ", "Phan Bội Châu", "Lê Ngô Cát")),
    Ward("phuong-duc", "Phường Đúc", "Phuong Duc", 16.4565, 107.5690, ("Bùi Thị Xuân", "Lịch Đợi"), ("ga Huế",)),
    Ward("thuy-bieu", "Thủy Biều", "Thuy Bieu", 16.4460, 107.5580, ("Bùi Thị Xuân", "Nguyễn Phúc Lan")),
    Ward(
        "thuy-xuan",
        "Thủy Xuân",
        "Thuy Xuan",
        16.4360,
        107.5730,
        ("Minh Mạng", "Huyền Trân Công Chúa", "Lê Ngô Cát"),
        ("lăng Tự Đức",),
    ),
    Ward(
        "an-tay", "An Tây", "An Tay", 16.4400, 107.5920, ("Ngự Bình", "Nguyễn Khoa Chiêm", "Tự Đức"), ("núi Ngự Bình",)
    ),
)

WARDS_BY_CODE = {ward.code: ward for ward in WARDS}


def city_polygon():
    return shapely.set_precision(Polygon(CITY_OUTLINE), GRID)


@lru_cache(maxsize=1)
def ward_polygons():
    """{ward code: shapely Polygon}: Voronoi cells of the centres, clipped to the city, snapped to the grid."""
    city = city_polygon()
    centres = {ward.code: Point(ward.longitude, ward.latitude) for ward in WARDS}
    cells = shapely.voronoi_polygons(MultiPoint(list(centres.values())), extend_to=city.buffer(0.05))
    polygons = {}
    for cell in cells.geoms:
        code = next(code for code, centre in centres.items() if cell.contains(centre))
        # Snapping every cell to the same grid keeps shared edges identical, so neighbours neither overlap
        # nor leave slivers between them.
        polygons[code] = shapely.set_precision(cell.intersection(city), GRID)
    return {ward.code: polygons[ward.code] for ward in WARDS}


def geojson(geometry):
    """A GeoJSON dict with plain lists, as stored in Area.geometry."""
    data = mapping(geometry)

    def plain(value):
        return [plain(v) for v in value] if isinstance(value, list | tuple) else value

    return {"type": data["type"], "coordinates": plain(data["coordinates"])}


def point_in_ward(rng, code, spread=0.0035):
    """A (latitude, longitude) pair inside the ward, rounded to 6 decimals, drawn around its centre."""
    ward = WARDS_BY_CODE[code]
    polygon = ward_polygons()[code]
    for _ in range(200):
        lat = round(rng.gauss(ward.latitude, spread), 6)
        lon = round(rng.gauss(ward.longitude, spread), 6)
        if shapely.contains_xy(polygon, lon, lat):
            return lat, lon
    return round(ward.latitude, 6), round(ward.longitude, 6)


def ward_of(latitude, longitude):
    for code, polygon in ward_polygons().items():
        if shapely.covers(polygon, Point(longitude, latitude)):
            return code
    return None
