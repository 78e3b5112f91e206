"""What the demo city shows Open311 apps: the questions some categories ask (every datatype of the spec, in
Vietnamese and English) and a demo API key.

The demo key is published (README.md, the seed's summary) so that anyone can try POST requests against a demo.
It is for a demo only: a real instance issues keys on the centre's pages and never runs the seed.
"""

from dataclasses import dataclass, field

DEMO_API_KEY = "demo-open311-key-huesmart"  # noqa: S105 - published on purpose, demo only
DEMO_API_KEY_NAME = "Demo Open311 app"
DEMO_API_KEY_CONTACT = "open311-demo@example.org"
DEMO_API_KEY_RATE_LIMIT = 60

_NUMBER_VI = "Số nguyên, không có dấu chấm hay dấu phẩy"
_NUMBER_EN = "A whole number, without separators"
_DATETIME_VI = "Ngày giờ theo ISO 8601, ví dụ 2026-11-24T21:30:00+07:00"
_DATETIME_EN = "ISO 8601 date and time, e.g. 2026-11-24T21:30:00+07:00"


@dataclass(frozen=True)
class AttributeSpec:
    code: str
    datatype: str
    description_vi: str
    description_en: str
    required: bool = False
    variable: bool = True
    datatype_description_vi: str = ""
    datatype_description_en: str = ""
    # (key, name_vi, name_en) for the list datatypes.
    values: tuple[tuple[str, str, str], ...] = field(default=())

    def values_json(self):
        return [{"key": key, "name_vi": vi, "name_en": en} for key, vi, en in self.values]


# Category code -> its questions, in the order they are asked.
ATTRIBUTES = {
    "price-gouging": (
        AttributeSpec(
            "item",
            "string",
            "Mặt hàng hoặc dịch vụ bị nói thách",
            "The goods or service overpriced",
            required=True,
            datatype_description_vi="Ví dụ: bún bò, xích lô, vé thuyền",
            datatype_description_en="E.g. bun bo, cyclo ride, boat ticket",
        ),
        AttributeSpec(
            "price-asked",
            "number",
            "Giá bị đòi (đồng)",
            "Price asked (dong)",
            datatype_description_vi=_NUMBER_VI,
            datatype_description_en=_NUMBER_EN,
        ),
        AttributeSpec(
            "price-posted",
            "singlevaluelist",
            "Cửa hàng có niêm yết giá không?",
            "Were prices posted?",
            values=(
                ("yes", "Có, nhưng bán cao hơn", "Yes, but charged more"),
                ("no", "Không niêm yết", "No prices posted"),
                ("unsure", "Không để ý", "Did not notice"),
            ),
        ),
    ),
    "sidewalk-encroachment": (
        AttributeSpec(
            "obstruction",
            "multivaluelist",
            "Thứ gì đang chiếm vỉa hè? (chọn một hoặc nhiều)",
            "What is taking over the sidewalk? (one or more)",
            required=True,
            values=(
                ("stall", "Hàng quán, xe đẩy", "Stalls or carts"),
                ("parking", "Xe máy, ô tô đỗ", "Parked motorbikes or cars"),
                ("tables", "Bàn ghế", "Tables and chairs"),
                ("awning", "Mái che, bạt", "Awnings or tarpaulins"),
                ("materials", "Vật liệu xây dựng", "Building materials"),
            ),
        ),
        AttributeSpec(
            "seen-at",
            "datetime",
            "Bạn thấy lúc nào?",
            "When did you see it?",
            datatype_description_vi=_DATETIME_VI,
            datatype_description_en=_DATETIME_EN,
        ),
    ),
    "flooding": (
        AttributeSpec(
            "depth",
            "singlevaluelist",
            "Nước ngập sâu đến đâu?",
            "How deep is the water?",
            required=True,
            values=(
                ("ankle", "Đến mắt cá chân", "Up to the ankle"),
                ("knee", "Đến đầu gối", "Up to the knee"),
                ("above-knee", "Trên đầu gối", "Above the knee"),
            ),
        ),
        AttributeSpec(
            "depth-cm",
            "number",
            "Độ sâu ước tính (cm)",
            "Estimated depth (cm)",
            datatype_description_vi=_NUMBER_VI,
            datatype_description_en=_NUMBER_EN,
        ),
        AttributeSpec(
            "safety",
            "string",
            "Không lội qua chỗ nước chảy xiết hoặc gần cột điện, dây điện.",
            "Do not wade through fast water or near electricity poles and wires.",
            variable=False,
        ),
    ),
    "noise": (
        AttributeSpec(
            "source",
            "singlevaluelist",
            "Tiếng ồn từ đâu?",
            "Where does the noise come from?",
            required=True,
            values=(
                ("karaoke", "Karaoke", "Karaoke"),
                ("loudspeaker", "Loa kẹo kéo, loa quảng cáo", "Portable or advertising loudspeakers"),
                ("construction", "Công trình xây dựng", "Building work"),
                ("other", "Khác", "Something else"),
            ),
        ),
        AttributeSpec(
            "started-at",
            "datetime",
            "Tiếng ồn bắt đầu lúc nào?",
            "When did the noise start?",
            datatype_description_vi=_DATETIME_VI,
            datatype_description_en=_DATETIME_EN,
        ),
        AttributeSpec(
            "details",
            "text",
            "Mô tả thêm (tần suất, số nhà nếu biết)",
            "More details (how often, the house number if known)",
        ),
    ),
    "broken-streetlight": (
        AttributeSpec(
            "pole-number",
            "string",
            "Số hiệu cột đèn (ghi trên cột, nếu có)",
            "Pole number (written on the pole, if any)",
        ),
        AttributeSpec(
            "lights-out",
            "number",
            "Bao nhiêu đèn không sáng?",
            "How many lights are out?",
            datatype_description_vi=_NUMBER_VI,
            datatype_description_en=_NUMBER_EN,
        ),
    ),
    "garbage": (
        AttributeSpec(
            "waste-kind",
            "multivaluelist",
            "Loại rác (chọn một hoặc nhiều)",
            "Kind of waste (one or more)",
            values=(
                ("household", "Rác sinh hoạt", "Household rubbish"),
                ("construction", "Xà bần, phế thải xây dựng", "Rubble and building waste"),
                ("bulky", "Đồ cồng kềnh (nệm, tủ...)", "Bulky items (mattresses, cupboards...)"),
                ("dead-animal", "Xác động vật", "A dead animal"),
            ),
        ),
        AttributeSpec(
            "how-long",
            "text",
            "Rác ở đó bao lâu rồi, có ai thường đổ ở đây không?",
            "How long has it been there, and does someone dump here often?",
        ),
    ),
}
