"""Who handles what in the demo city: agency kinds, agencies with their parents and jurisdictions, categories.

Names follow Hue's real bodies; jurisdictions are ward codes from places.py or "hue" for the whole city.
"""

from dataclasses import dataclass

from .places import WARDS


@dataclass(frozen=True)
class Kind:
    code: str
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class AgencySpec:
    code: str
    kind: str
    name_vi: str
    name_en: str
    areas: tuple[str, ...]
    parent: str | None = None
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name_vi: str
    name_en: str
    kind: str
    deadline_days: int
    description_vi: str
    description_en: str
    # Where reports of this kind cluster (ward codes), and the usual priority.
    hotspots: tuple[str, ...] = ()
    priority: str = "normal"
    # Category.Kind: a problem for an agency, or praise (a good deed, a thanks) that the centre checks and publishes.
    category_kind: str = "problem"


KINDS = (
    Kind("city-committee", "Ủy ban nhân dân thành phố", "City People's Committee"),
    Kind("ward-committee", "Ủy ban nhân dân phường", "Ward People's Committee"),
    Kind("market-management", "Ban quản lý chợ", "Market management board"),
    Kind("urban-order", "Đội quy tắc đô thị", "Urban order team"),
    Kind("police", "Công an", "Police"),
    Kind("traffic-police", "Cảnh sát giao thông", "Traffic police"),
    Kind("electricity", "Điện lực", "Electricity"),
    Kind("water-supply", "Cấp nước", "Water supply"),
    Kind("urban-works", "Môi trường và công trình đô thị", "Environment and urban works"),
    Kind("parks-trees", "Công viên cây xanh", "Parks and trees"),
    Kind("construction-inspectorate", "Thanh tra xây dựng", "Construction inspectorate"),
    Kind("tourism", "Du lịch", "Tourism"),
    Kind("food-safety", "An toàn thực phẩm", "Food safety"),
    Kind("environment", "Tài nguyên và môi trường", "Natural resources and environment"),
    Kind("veterinary", "Chăn nuôi và thú y", "Livestock and veterinary"),
    Kind("heritage", "Bảo tồn di tích", "Heritage conservation"),
)

CITY_COMMITTEE = "ubnd-tp-hue"

AGENCIES = (
    AgencySpec(
        CITY_COMMITTEE,
        "city-committee",
        "UBND thành phố Huế",
        "Hue City People's Committee",
        ("hue",),
        email="vanphong@hue.example.org",
    ),
    *(
        AgencySpec(
            f"ubnd-{ward.code}",
            "ward-committee",
            f"UBND phường {ward.name_vi}",
            f"{ward.name_en} Ward People's Committee",
            (ward.code,),
            CITY_COMMITTEE,
            email=f"{ward.code}@hue.example.org",
        )
        for ward in WARDS
    ),
    AgencySpec(
        "bql-cho-hue",
        "market-management",
        "Ban Quản lý các chợ thành phố Huế",
        "Hue Markets Management Board",
        ("hue",),
        CITY_COMMITTEE,
        email="cho@hue.example.org",
    ),
    AgencySpec(
        "bql-cho-dong-ba",
        "market-management",
        "Ban Quản lý chợ Đông Ba",
        "Dong Ba Market Management Board",
        ("dong-ba", "gia-hoi"),
        "bql-cho-hue",
    ),
    AgencySpec(
        "bql-cho-an-cuu",
        "market-management",
        "Ban Quản lý chợ An Cựu",
        "An Cuu Market Management Board",
        ("an-cuu", "an-dong"),
        "bql-cho-hue",
    ),
    AgencySpec(
        "bql-cho-ben-ngu",
        "market-management",
        "Ban Quản lý chợ Bến Ngự",
        "Ben Ngu Market Management Board",
        ("phuoc-vinh", "vinh-ninh", "phu-nhuan"),
        "bql-cho-hue",
    ),
    AgencySpec(
        "qtdt-hue",
        "urban-order",
        "Đội Quy tắc đô thị thành phố Huế",
        "Hue Urban Order Team",
        ("hue",),
        CITY_COMMITTEE,
        email="quytacdothi@hue.example.org",
    ),
    AgencySpec("ca-hue", "police", "Công an thành phố Huế", "Hue City Police", ("hue",), CITY_COMMITTEE),
    AgencySpec(
        "csgt-hue",
        "traffic-police",
        "Đội Cảnh sát giao thông - Công an TP Huế",
        "Hue Traffic Police",
        ("hue",),
        "ca-hue",
    ),
    AgencySpec(
        "pc-hue",
        "electricity",
        "Công ty Điện lực Thừa Thiên Huế",
        "Hue Power Company (PC Hue)",
        ("hue",),
    ),
    AgencySpec(
        "huewaco",
        "water-supply",
        "Công ty CP Cấp nước Thừa Thiên Huế (HueWACO)",
        "Hue Water Supply (HueWACO)",
        ("hue",),
    ),
    AgencySpec(
        "hepco",
        "urban-works",
        "Công ty CP Môi trường và Công trình đô thị Huế (HEPCO)",
        "Hue Environment and Urban Works (HEPCO)",
        ("hue",),
        CITY_COMMITTEE,
        email="hepco@hue.example.org",
    ),
    AgencySpec(
        "cvcx-hue",
        "parks-trees",
        "Trung tâm Công viên cây xanh Huế",
        "Hue Parks and Trees Centre",
        ("hue",),
        CITY_COMMITTEE,
    ),
    AgencySpec(
        "ttxd-hue",
        "construction-inspectorate",
        "Thanh tra Sở Xây dựng",
        "Construction Inspectorate",
        ("hue",),
        CITY_COMMITTEE,
    ),
    AgencySpec(
        "sdl-hue",
        "tourism",
        "Sở Du lịch Huế",
        "Hue Department of Tourism",
        ("hue",),
        CITY_COMMITTEE,
    ),
    AgencySpec(
        "attp-hue",
        "food-safety",
        "Chi cục An toàn vệ sinh thực phẩm",
        "Food Safety Sub-department",
        ("hue",),
        CITY_COMMITTEE,
    ),
    AgencySpec(
        "stnmt-hue",
        "environment",
        "Sở Tài nguyên và Môi trường",
        "Department of Natural Resources and Environment",
        ("hue",),
        CITY_COMMITTEE,
    ),
    AgencySpec(
        "ccty-hue",
        "veterinary",
        "Chi cục Chăn nuôi và Thú y",
        "Livestock and Veterinary Sub-department",
        ("hue",),
        CITY_COMMITTEE,
    ),
    AgencySpec(
        "ttbtdt-hue",
        "heritage",
        "Trung tâm Bảo tồn Di tích Cố đô Huế",
        "Hue Monuments Conservation Centre",
        ("thuan-thanh", "thuan-hoa", "tay-loc", "thuan-loc", "huong-long", "thuy-xuan", "thuy-bieu"),
        CITY_COMMITTEE,
    ),
)

TOURIST_WARDS = ("dong-ba", "phu-hoi", "thuan-thanh", "vinh-ninh", "gia-hoi", "huong-long")

CATEGORIES = (
    CategorySpec(
        "price-gouging",
        "Chặt chém, nói thách giá",
        "Price gouging",
        "market-management",
        3,
        "Bán giá cao bất thường, không niêm yết giá, ép khách mua.",
        "Unreasonable prices, no posted prices, customers pressed to buy.",
        TOURIST_WARDS,
    ),
    CategorySpec(
        "sidewalk-encroachment",
        "Lấn chiếm vỉa hè, lòng đường",
        "Sidewalk encroachment",
        "urban-order",
        5,
        "Bày bán, để xe, dựng mái che chiếm vỉa hè hoặc lòng đường.",
        "Stalls, parked bikes or awnings taking over the sidewalk or the road.",
        ("phu-hoi", "dong-ba", "vinh-ninh", "phu-nhuan", "an-cuu"),
    ),
    CategorySpec(
        "garbage",
        "Rác thải, xả rác bừa bãi",
        "Garbage and littering",
        "urban-works",
        2,
        "Rác không được thu gom, đổ rác sai nơi quy định.",
        "Uncollected rubbish, dumping in the wrong place.",
    ),
    CategorySpec(
        "broken-streetlight",
        "Đèn đường hư hỏng",
        "Broken streetlight",
        "urban-works",
        3,
        "Đèn chiếu sáng công cộng không sáng, chập chờn hoặc sáng ban ngày.",
        "Public lighting off, flickering or on in daytime.",
    ),
    CategorySpec(
        "flooding",
        "Ngập úng",
        "Flooding",
        "urban-works",
        1,
        "Đường, kiệt bị ngập sau mưa, nước không thoát.",
        "Streets or alleys under water after rain.",
        ("an-cuu", "phu-hiep", "phu-hau", "vy-da", "thuy-van"),
        "high",
    ),
    CategorySpec(
        "blocked-drain",
        "Tắc cống thoát nước",
        "Blocked drain",
        "urban-works",
        3,
        "Hố ga, cống bị tắc, bốc mùi hoặc mất nắp.",
        "Drains or gullies blocked, smelling or without a cover.",
    ),
    CategorySpec(
        "pothole",
        "Hư hỏng mặt đường, ổ gà",
        "Pothole or damaged road",
        "urban-works",
        7,
        "Mặt đường, vỉa hè sụt lún, ổ gà, nắp hố ga hư.",
        "Potholes, subsidence, broken kerbs or manhole covers.",
    ),
    CategorySpec(
        "traffic-violation",
        "Vi phạm giao thông",
        "Traffic violation",
        "traffic-police",
        3,
        "Vượt đèn đỏ, chạy ngược chiều, đua xe, chở quá tải.",
        "Running red lights, wrong-way driving, racing, overloading.",
        ("vinh-ninh", "phu-nhuan", "an-cuu", "truong-an", "an-hoa"),
    ),
    CategorySpec(
        "illegal-parking",
        "Đỗ xe sai quy định",
        "Illegal parking",
        "traffic-police",
        2,
        "Ô tô, xe máy đỗ sai nơi quy định, cản trở giao thông.",
        "Cars or motorbikes parked where they block traffic.",
        ("phu-hoi", "vinh-ninh", "dong-ba", "phu-nhuan"),
    ),
    CategorySpec(
        "noise",
        "Tiếng ồn, karaoke gây ồn",
        "Noise",
        "police",
        2,
        "Karaoke, loa kẹo kéo, công trình gây ồn ngoài giờ cho phép.",
        "Karaoke, loudspeakers or building work making noise at night.",
    ),
    CategorySpec(
        "fallen-tree",
        "Cây xanh gãy đổ, nguy hiểm",
        "Fallen or dangerous tree",
        "parks-trees",
        1,
        "Cây gãy đổ, nghiêng, cành khô có nguy cơ rơi.",
        "Fallen, leaning or dead trees and branches.",
        priority="high",
    ),
    CategorySpec(
        "water-leak",
        "Vỡ, rò rỉ đường ống nước",
        "Water leak",
        "water-supply",
        2,
        "Ống nước bị vỡ, rò rỉ, mất nước sinh hoạt.",
        "Burst or leaking water mains, no water supply.",
        priority="high",
    ),
    CategorySpec(
        "power-outage",
        "Mất điện, sự cố lưới điện",
        "Power outage or electrical hazard",
        "electricity",
        1,
        "Mất điện, dây điện võng thấp, tủ điện hở nguy hiểm.",
        "Outages, sagging wires, open electrical cabinets.",
        priority="high",
    ),
    CategorySpec(
        "illegal-construction",
        "Xây dựng trái phép",
        "Illegal construction",
        "construction-inspectorate",
        10,
        "Xây dựng không phép, sai phép, lấn chiếm đất công.",
        "Building without or beyond a permit, on public land.",
        ("thuan-thanh", "tay-loc", "thuan-loc", "kim-long", "thuy-xuan"),
    ),
    CategorySpec(
        "stray-animals",
        "Chó thả rông, động vật đi lạc",
        "Stray animals",
        "veterinary",
        5,
        "Chó không rọ mõm thả rông, gia súc trên đường.",
        "Unmuzzled dogs roaming, livestock on the road.",
    ),
    CategorySpec(
        "touting",
        "Đeo bám, chèo kéo khách du lịch",
        "Begging or touting tourists",
        "tourism",
        3,
        "Ăn xin, bán hàng rong đeo bám, chèo kéo du khách.",
        "Beggars or hawkers following and pressing visitors.",
        TOURIST_WARDS,
    ),
    CategorySpec(
        "food-safety",
        "Mất an toàn thực phẩm",
        "Food safety",
        "food-safety",
        5,
        "Thực phẩm ôi thiu, không rõ nguồn gốc, cơ sở mất vệ sinh.",
        "Spoiled or untraceable food, unhygienic kitchens.",
        ("dong-ba", "phu-hoi", "an-cuu", "phuoc-vinh"),
    ),
    CategorySpec(
        "air-pollution",
        "Ô nhiễm không khí, đốt rác",
        "Air pollution or open burning",
        "environment",
        5,
        "Đốt rác, khói bụi, mùi hôi từ cơ sở sản xuất.",
        "Burning rubbish, smoke, dust or smells from workshops.",
    ),
    CategorySpec(
        "river-pollution",
        "Ô nhiễm sông Hương, sông Ngự Hà, kênh rạch",
        "River or canal pollution",
        "environment",
        7,
        "Xả thải, rác, dầu loang trên sông và kênh.",
        "Waste, rubbish or oil on the rivers and canals.",
        ("phu-hiep", "thuan-loc", "vy-da", "kim-long"),
    ),
    CategorySpec(
        "illegal-advertising",
        "Quảng cáo, rao vặt trái phép",
        "Illegal posters and advertising",
        "urban-order",
        5,
        "Dán, treo quảng cáo, rao vặt trên cột điện, tường nhà.",
        "Posters and ads stuck on poles and walls.",
        priority="low",
    ),
    CategorySpec(
        "heritage-damage",
        "Xâm hại di tích",
        "Damage to a heritage site",
        "heritage",
        5,
        "Vẽ bậy, leo trèo, lấn chiếm trong khu vực di tích.",
        "Graffiti, climbing or encroachment on monuments.",
        ("thuan-thanh", "thuan-hoa", "huong-long", "thuy-xuan"),
    ),
    CategorySpec(
        "good-deed",
        "Người tốt, việc tốt",
        "Good deed",
        "ward-committee",
        10,
        "Kể về một việc tốt để phường ghi nhận, biểu dương.",
        "Tell the ward about a good deed to be recognised.",
        priority="low",
        category_kind="praise",
    ),
    CategorySpec(
        "thanks",
        "Cảm ơn cơ quan",
        "Thanks to an agency",
        "ward-committee",
        10,
        "Gửi lời cảm ơn đến một cơ quan đã làm tốt: sau khi Trung tâm kiểm tra, lời cảm ơn được đăng công khai.",
        "Thank an agency for good work: once the centre has checked it, your thanks is published.",
        priority="low",
        category_kind="praise",
    ),
)

# How often each category is reported, roughly as in a city's first year.
CATEGORY_WEIGHTS = {
    "price-gouging": 7,
    "sidewalk-encroachment": 12,
    "garbage": 12,
    "broken-streetlight": 8,
    "flooding": 5,
    "blocked-drain": 5,
    "pothole": 7,
    "traffic-violation": 6,
    "illegal-parking": 6,
    "noise": 5,
    "fallen-tree": 3,
    "water-leak": 4,
    "power-outage": 3,
    "illegal-construction": 3,
    "stray-animals": 2,
    "touting": 4,
    "food-safety": 2,
    "air-pollution": 3,
    "river-pollution": 2,
    "illegal-advertising": 3,
    "heritage-damage": 2,
    "good-deed": 3,
    "thanks": 2,
}

CAMERAS = (
    ("cam-truong-tien", "Cầu Trường Tiền - đầu Lê Lợi", 16.466411, 107.588322),
    ("cam-dong-ba", "Chợ Đông Ba - Trần Hưng Đạo", 16.472598, 107.588874),
    ("cam-hung-vuong-ba-trieu", "Ngã tư Hùng Vương - Bà Triệu", 16.461420, 107.601530),
    ("cam-le-duan-ngo-mon", "Lê Duẩn - Ngọ Môn", 16.466203, 107.578612),
    ("cam-an-cuu", "Cầu An Cựu - Hùng Vương", 16.457011, 107.598212),
)
# Utilities route unambiguously (one company for the whole city): their cases skip the operator's assignment.
AUTO_ASSIGNED = ("broken-streetlight", "power-outage", "water-leak")
