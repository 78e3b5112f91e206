"""What the demo city's citizens write, per category: varied enough that the classifier learns words, not sentences.

Each text is put together from sentence patterns shared by all categories (an opening, the thing, where, since when,
what it causes, a request) and vocabularies of each category, filled with Hue's streets and landmarks. Mostly
Vietnamese, some typed without accents (as on a phone without a Vietnamese keyboard), some English (visitors and
residents from abroad), now and then with a typo. Pure and deterministic: the same count and seed give the same
texts.

    demo_texts(count, seed) -> [(category_code, language, text), ...]
    demo_text(rng, category_code, street=None, place=None) -> (language, text)   # one text, for the demo's stories
"""

import random
import unicodedata

from reports.demo.organisations import CATEGORY_WEIGHTS
from reports.demo.places import WARDS

# Per category, in Vietnamese and English: `things` (a subject that opens a sentence), `problems` (what is wrong
# with it, following the subject and the place), `effects` (what it causes), and `whole` (sentences of their own).
VOCABULARY = {
    "price-gouging": {
        "vi": {
            "things": ("Quán bún bò", "Quán cơm", "Xích lô", "Sạp hàng lưu niệm", "Quán chè", "Thuyền rồng", "Quán ốc"),
            "problems": (
                "tính {amount}.000 đồng cho hai phần ăn, không có bảng giá",
                "nói thách gấp ba bốn lần giá thật",
                "không niêm yết giá, tính tiền tùy tiện",
                "ép khách nước ngoài trả {amount}.000 đồng",
                "thỏa thuận một giá, xong lại đòi thêm tiền",
                "chặt chém khách du lịch, tính {amount}k một đĩa",
            ),
            "effects": (
                "khách bức xúc, mất hình ảnh du lịch Huế",
                "du khách phản ánh trên mạng xã hội",
                "khách không dám quay lại",
                "mất uy tín của thành phố",
            ),
            "whole": (
                "Bị chặt chém khi ăn ở gần {place}: hai tô bún {amount} nghìn, hỏi thì chủ quán nói giá vậy.",
                "Đi xích lô một vòng ngắn quanh {place}, lúc đầu nói 100 nghìn, xuống xe đòi {amount} nghìn.",
                "Giá gửi xe ở {place} thu 30.000 đồng một xe máy, cao gấp mấy lần quy định.",
                "Mua nón lá ở {place} bị hét giá {amount}.000 đồng, không có giá niêm yết.",
            ),
        },
        "en": {
            "things": ("A noodle shop", "A cyclo driver", "A souvenir stall", "A dragon boat operator"),
            "problems": (
                "charged us {amount},000 VND for two bowls, with no prices shown",
                "asked three times the agreed price at the end",
                "had no menu with prices and made up the bill",
                "overcharged foreign tourists",
            ),
            "effects": ("we felt cheated", "it ruins the city's image", "other tourists complained too"),
            "whole": (
                "Price gouging near {place}: {amount},000 VND for a short cyclo ride that was agreed at 100,000.",
                "We were overcharged for parking at {place}, 30,000 VND for one motorbike.",
            ),
        },
    },
    "sidewalk-encroachment": {
        "vi": {
            "things": ("Quán cà phê", "Quán nhậu", "Hàng trái cây", "Cửa hàng điện máy", "Tiệm sửa xe", "Quán trà sữa"),
            "problems": (
                "bày bàn ghế kín vỉa hè",
                "lấn chiếm hết vỉa hè, người đi bộ phải xuống lòng đường",
                "dựng mái che, kê hàng hóa ra tận lòng đường",
                "để xe máy của khách chiếm toàn bộ vỉa hè",
                "bày hàng ra mép đường",
                "kê bàn ra lòng đường vào buổi tối",
            ),
            "effects": (
                "người đi bộ phải đi xuống lòng đường rất nguy hiểm",
                "gây ùn tắc giờ cao điểm",
                "học sinh không có chỗ đi",
                "mất mỹ quan đô thị",
            ),
            "whole": (
                "Vỉa hè trước {place} bị lấn chiếm để buôn bán, không còn chỗ cho người đi bộ.",
                "Hàng rong họp chợ trên vỉa hè và lòng đường {street} từ {morning} giờ sáng.",
                "Nhà số {house} {street} xây bục, bậc tam cấp lấn ra vỉa hè.",
            ),
        },
        "en": {
            "things": ("A cafe", "A street food stall", "A fruit shop", "A repair shop"),
            "problems": (
                "has put tables and chairs over the whole sidewalk",
                "blocks the pavement with goods and awnings",
                "takes over the sidewalk every evening",
            ),
            "effects": ("pedestrians have to walk in the road", "it is dangerous for children walking to school"),
            "whole": ("The pavement on {street} is completely taken over by stalls; there is no room to walk.",),
        },
    },
    "garbage": {
        "vi": {
            "things": ("Điểm tập kết rác", "Thùng rác công cộng", "Đống rác", "Bãi rác tự phát", "Xà bần"),
            "problems": (
                "đã {count} ngày chưa được thu gom",
                "đầy tràn ra đường, bốc mùi hôi thối",
                "bị người dân đổ sai nơi quy định",
                "bị chó mèo bới tung ra lòng đường",
                "chất thành đống ven đường",
                "có người đổ trộm vào ban đêm",
            ),
            "effects": (
                "ruồi muỗi bu đầy, mất vệ sinh",
                "mùi hôi nồng nặc ảnh hưởng các hộ xung quanh",
                "mưa xuống nước rác chảy lênh láng",
                "khách du lịch đi qua phải bịt mũi",
            ),
            "whole": (
                "Rác thải sinh hoạt vứt bừa bãi dọc {street}, chưa thấy xe rác đến thu gom.",
                "Có người đổ xà bần, gạch vụn bên đường {street} gần {place}.",
                "Sau phiên chợ rác vương vãi khắp {place}, túi ni lông bay đầy đường.",
                "Xe thu gom rác không đến kiệt {house} {street} cả tuần nay.",
            ),
        },
        "en": {
            "things": ("A pile of rubbish", "The public bin", "Household waste", "Construction debris"),
            "problems": (
                "has not been collected for {count} days",
                "is overflowing onto the street",
                "was dumped by the roadside overnight",
            ),
            "effects": ("it smells terrible", "flies and rats everywhere", "dogs spread it across the road"),
            "whole": ("Garbage is piling up near {place} and nobody has collected it this week.",),
        },
    },
    "broken-streetlight": {
        "vi": {
            "things": ("Đèn đường", "Cột đèn chiếu sáng", "Cả dãy đèn đường", "Bóng đèn cao áp", "Đèn trong kiệt"),
            "problems": (
                "không sáng đã {count} đêm",
                "chập chờn lúc sáng lúc tắt",
                "bị cháy bóng, cả đoạn tối om",
                "sáng cả ban ngày, lãng phí điện",
                "bị tắt từ tối hôm qua",
                "hư lâu rồi chưa ai sửa",
            ),
            "effects": (
                "ban đêm tối thui, đi lại rất nguy hiểm",
                "người dân lo sợ trộm cắp",
                "học sinh đi học thêm về tối rất sợ",
                "đã có người té xe vì không thấy đường",
            ),
            "whole": (
                "Đoạn đường {street} gần {place} tối om vì đèn chiếu sáng không hoạt động.",
                "Cột đèn số {house} trên đường {street} bị hỏng, dây điện lòi ra ngoài.",
                "Đèn đường ở kiệt {house} {street} cứ tối là chớp tắt liên tục.",
            ),
        },
        "en": {
            "things": ("The streetlight", "A row of street lamps", "The lamp post"),
            "problems": ("has been out for {count} nights", "keeps flickering on and off", "stays on all day"),
            "effects": ("the street is pitch dark at night", "it feels unsafe walking home"),
            "whole": ("Street lights on {street} near {place} are not working, the whole stretch is dark.",),
        },
    },
    "flooding": {
        "vi": {
            "things": ("Đường", "Kiệt", "Ngã tư", "Khu dân cư", "Đoạn đường trũng"),
            "problems": (
                "ngập sâu khoảng {depth} cm sau cơn mưa",
                "bị ngập nước, nước không thoát được",
                "mưa lớn là ngập lênh láng",
                "ngập úng từ sáng đến giờ chưa rút",
                "thành sông mỗi khi mưa to",
            ),
            "effects": (
                "xe máy chết máy hàng loạt",
                "nước tràn vào nhà dân",
                "học sinh phải lội nước đi học",
                "người dân phải dắt xe qua",
            ),
            "whole": (
                "Mưa lớn từ {morning} giờ sáng, đường {street} ngập sâu tới đầu gối.",
                "Nước ngập gần {place}, xe cộ không đi qua được.",
                "Sau trận mưa đêm qua, kiệt {house} {street} vẫn còn ngập nước, nước tràn vào nhà.",
            ),
        },
        "en": {
            "things": ("The street", "The alley", "The intersection"),
            "problems": ("is flooded about {depth} cm deep after the rain", "is under water and it does not drain"),
            "effects": ("motorbikes stall in the water", "water is coming into the houses"),
            "whole": ("Heavy rain this morning and {street} near {place} is completely flooded.",),
        },
    },
    "blocked-drain": {
        "vi": {
            "things": ("Hố ga", "Cống thoát nước", "Rãnh thoát nước", "Nắp cống", "Miệng cống"),
            "problems": (
                "bị tắc, nước đen tràn lên mặt đường",
                "bị rác làm nghẹt, bốc mùi hôi",
                "bị mất nắp, hố sâu hoắm",
                "bị vỡ nắp, rất nguy hiểm",
                "bốc mùi hôi thối nhiều ngày nay",
                "đầy bùn đất, không ai nạo vét",
            ),
            "effects": (
                "mưa nhỏ cũng ứ nước",
                "người đi đường ban đêm dễ sập xuống",
                "mùi hôi bay vào nhà dân",
                "muỗi sinh sôi rất nhiều",
            ),
            "whole": (
                "Cống trước nhà số {house} {street} bị tắc, nước bẩn ứ đọng bốc mùi.",
                "Nắp hố ga trên đường {street} gần {place} bị mất, đã có người lọt chân xuống.",
                "Đề nghị nạo vét mương thoát nước trong kiệt {house} {street}, bùn rác bịt kín.",
            ),
        },
        "en": {
            "things": ("The drain", "A manhole", "The gutter"),
            "problems": ("is blocked and smells awful", "has no cover, a deep open hole", "is clogged with rubbish"),
            "effects": ("dirty water overflows into the street", "someone could fall in at night"),
            "whole": ("A drain cover is missing on {street} near {place}; it is a dangerous open hole.",),
        },
    },
    "pothole": {
        "vi": {
            "things": ("Mặt đường", "Ổ gà", "Vỉa hè", "Đoạn đường", "Nắp hố ga"),
            "problems": (
                "bị sụt lún, có hố sâu khoảng {depth} cm",
                "xuất hiện ổ gà lớn giữa đường",
                "bị bong tróc, gạch vỡ nát",
                "hư hỏng nặng, lồi lõm",
                "bị sụt xuống thấp hơn mặt đường",
                "nứt toác sau đợt mưa",
            ),
            "effects": (
                "đã có người đi xe máy bị té",
                "xe cộ phải lạng lách tránh",
                "người già đi lại rất khó khăn",
                "trời mưa nước đọng không thấy hố",
            ),
            "whole": (
                "Ổ voi giữa đường {street}, đoạn trước nhà số {house}, rất nguy hiểm ban đêm.",
                "Đường {street} gần {place} hư hỏng, ổ gà liên tiếp, xe đi xóc.",
                "Gạch lát vỉa hè {street} bị bong, vênh, người đi bộ vấp ngã.",
            ),
        },
        "en": {
            "things": ("A big pothole", "The road surface", "The pavement"),
            "problems": ("has opened in the middle of the road", "has sunk after the rains", "is broken and uneven"),
            "effects": ("a motorbike rider fell there yesterday", "cars swerve to avoid it"),
            "whole": ("There is a deep pothole on {street} near {place}; please repair it before someone gets hurt.",),
        },
    },
    "traffic-violation": {
        "vi": {
            "things": ("Nhiều xe máy", "Nhóm thanh niên", "Xe tải", "Xe khách", "Ô tô con"),
            "problems": (
                "vượt đèn đỏ ở ngã tư",
                "chạy ngược chiều",
                "đua xe, nẹt pô ầm ĩ khoảng {night} giờ đêm",
                "lạng lách, đánh võng",
                "chở hàng quá khổ, quá tải",
                "chạy quá tốc độ trong khu dân cư",
            ),
            "effects": (
                "suýt gây tai nạn cho người đi đường",
                "rất nguy hiểm cho học sinh",
                "người dân hoảng sợ",
                "tình trạng diễn ra hằng ngày",
            ),
            "whole": (
                "Giờ tan tầm khoảng {evening} giờ chiều, xe máy vượt đèn đỏ liên tục ở ngã tư {street}.",
                "Tối nào cũng có nhóm quái xế tụ tập đua xe trên đường {street}.",
                "Xe ben chở cát không che chắn, chạy ngược chiều trên {street} gần {place}.",
            ),
        },
        "en": {
            "things": ("Motorbikes", "A group of young riders", "Trucks"),
            "problems": ("run the red light", "drive the wrong way", "race and rev their engines late at night"),
            "effects": ("someone will be killed", "it is terrifying for pedestrians"),
            "whole": ("Every evening motorbikes run the red light at the crossroads on {street}.",),
        },
    },
    "illegal-parking": {
        "vi": {
            "things": ("Ô tô", "Xe du lịch", "Xe tải", "Xe máy", "Xe khách"),
            "problems": (
                "đỗ dưới biển cấm cả ngày",
                "đậu thành hàng dài, chiếm một làn đường",
                "đỗ chắn lối ra vào nhà dân",
                "dừng đỗ sai quy định trước cổng trường",
                "đậu ngay góc cua",
                "để tràn ra lòng đường",
            ),
            "effects": (
                "cản trở giao thông",
                "xe cứu thương không vào được",
                "gây kẹt xe giờ cao điểm",
                "người dân không ra vào được",
            ),
            "whole": (
                "Xe ô tô đậu trên vỉa hè và dưới lòng đường {street} chắn cổng nhà số {house}.",
                "Xe du lịch đỗ la liệt trước {place}, chiếm hết đường.",
                "Bãi giữ xe tự phát trước quán số {house} {street}, xe để tràn ra đường.",
            ),
        },
        "en": {
            "things": ("Cars", "Tour buses", "A truck"),
            "problems": ("park under the no-parking sign all day", "block one lane", "blocks our gate"),
            "effects": ("traffic jams every afternoon", "we cannot get our motorbike out"),
            "whole": ("Tour buses park in a long line at {place} and block the road.",),
        },
    },
    "noise": {
        "vi": {
            "things": ("Quán karaoke", "Nhà hàng xóm", "Quán nhậu", "Công trình xây dựng", "Loa kẹo kéo"),
            "problems": (
                "hát to đến {night} giờ khuya",
                "mở nhạc ầm ĩ suốt đêm",
                "gây ồn ào ngoài giờ cho phép",
                "thi công ban đêm, máy chạy ầm ầm",
                "hát karaoke từ trưa đến tối",
                "la hét, nhậu nhẹt đến khuya",
            ),
            "effects": (
                "cả xóm không ngủ được",
                "trẻ nhỏ và người già mất ngủ",
                "học sinh không học bài được",
                "nhắc nhiều lần nhưng không nghe",
            ),
            "whole": (
                "Tiếng ồn từ quán karaoke số {house} {street} kéo dài đến nửa đêm.",
                "Công trình gần {place} đổ bê tông lúc 23 giờ, tiếng máy trộn ầm ầm.",
                "Hàng xóm ở kiệt {house} {street} mở loa công suất lớn hát mỗi ngày.",
            ),
        },
        "en": {
            "things": ("A karaoke bar", "The neighbours", "A building site"),
            "problems": ("sings loudly until {night}:00", "plays very loud music every night", "works at midnight"),
            "effects": ("nobody in the street can sleep", "our children cannot sleep"),
            "whole": ("Loud karaoke near {place} every night until after midnight.",),
        },
    },
    "fallen-tree": {
        "vi": {
            "things": ("Cây phượng", "Cây xà cừ", "Cây bàng", "Cành cây lớn", "Cây me", "Cây xanh ven đường"),
            "problems": (
                "bị gãy sau cơn dông, đổ chắn nửa đường",
                "nghiêng hẳn ra đường, rễ bật lên",
                "có cành khô sắp rơi",
                "bị bật gốc đè lên dây điện",
                "bị mục, có nguy cơ đổ",
                "gãy ngang thân nằm giữa đường",
            ),
            "effects": (
                "rất nguy hiểm cho người qua lại",
                "xe cộ không đi qua được",
                "ngay chỗ học sinh đứng chờ xe",
                "mỗi lần gió to người dân rất lo",
            ),
            "whole": (
                "Cây đổ chắn ngang đường {street} gần {place} sau trận gió đêm qua.",
                "Đề nghị cắt tỉa cây xanh trước nhà số {house} {street}, cành khô nhiều, sắp gãy.",
                "Sau bão, cây ngã đè lên mái nhà số {house} {street}.",
            ),
        },
        "en": {
            "things": ("A big tree", "A large branch", "A flame tree"),
            "problems": ("fell across the road in the storm", "is leaning dangerously over the street"),
            "effects": ("cars cannot get through", "it could fall on someone"),
            "whole": ("A tree came down on {street} near {place} last night and blocks half the road.",),
        },
    },
    "water-leak": {
        "vi": {
            "things": ("Ống nước", "Đường ống cấp nước", "Đồng hồ nước", "Van nước", "Ống nước sạch"),
            "problems": (
                "bị vỡ, nước phun lên mặt đường",
                "rò rỉ liên tục, nước chảy lênh láng",
                "bị bể từ sáng chưa ai sửa",
                "xì nước nhiều ngày nay",
            ),
            "effects": (
                "lãng phí nước sạch",
                "cả khu vực bị mất nước sinh hoạt",
                "nước yếu, không lên được bồn",
                "mặt đường bị xói lở",
            ),
            "whole": (
                "Khu vực kiệt {house} {street} mất nước sinh hoạt từ {morning} giờ sáng, chưa có thông báo.",
                "Nước máy có màu vàng đục và mùi lạ ở {street}, gần {place}.",
                "Vỡ ống nước lớn trên đường {street}, nước chảy thành dòng.",
            ),
        },
        "en": {
            "things": ("A water pipe", "The water main", "The water meter"),
            "problems": ("burst this morning", "has been leaking for days", "is spraying water onto the road"),
            "effects": ("the whole street has no water", "a lot of clean water is wasted"),
            "whole": ("No tap water on {street} since {morning} am and nobody told us why.",),
        },
    },
    "power-outage": {
        "vi": {
            "things": ("Dây điện", "Tủ điện", "Trạm biến áp", "Cột điện", "Đường dây điện"),
            "problems": (
                "võng thấp sát đầu người",
                "bị mở cửa, dây điện hở",
                "phát ra tia lửa, có tiếng nổ",
                "bị nghiêng sắp đổ",
                "bị đứt, rơi xuống đường",
            ),
            "effects": (
                "rất nguy hiểm, nhất là khi trời mưa",
                "cả khu vực mất điện",
                "trẻ con hay chơi gần đó",
                "người dân lo bị điện giật",
            ),
            "whole": (
                "Khu vực {street} mất điện từ {evening} giờ chiều, chưa thấy có điện lại.",
                "Cúp điện liên tục ở kiệt {house} {street}, ngày mất điện mấy lần.",
                "Gần {place} bị mất điện cả buổi sáng mà không có lịch cắt điện.",
            ),
        },
        "en": {
            "things": ("An electric cable", "An electrical cabinet", "A power pole"),
            "problems": ("hangs very low over the street", "is open with bare wires", "sparks when it rains"),
            "effects": ("someone could be electrocuted", "the power keeps going off"),
            "whole": ("Power cut on {street} since {evening} pm, the whole block is without electricity.",),
        },
    },
    "illegal-construction": {
        "vi": {
            "things": ("Nhà số {house}", "Một công trình", "Hộ dân", "Quán ăn", "Chủ đất"),
            "problems": (
                "đang xây thêm tầng, không treo giấy phép xây dựng",
                "xây lấn ra mương thoát nước chung",
                "dựng nhà tạm trên đất công",
                "xây dựng sai phép, cơi nới ra phía trước",
                "san lấp đất trái phép",
                "xây tường rào lấn chiếm lối đi chung",
            ),
            "effects": (
                "ảnh hưởng nhà liền kề",
                "lấn chiếm đất công",
                "chính quyền chưa thấy xử lý",
                "làm hẹp lối đi của cả xóm",
            ),
            "whole": (
                "Công trình gần {place} xây dựng không phép, làm cả ban đêm.",
                "Nhà số {house} {street} đang đổ mái tầng 4 trong khi giấy phép chỉ 2 tầng.",
                "Có người rào đất công ven {street} để xây ki ốt.",
            ),
        },
        "en": {
            "things": ("A house", "A construction site", "Someone"),
            "problems": ("is adding floors with no building permit shown", "is building on public land"),
            "effects": ("it blocks the shared alley", "nobody seems to check"),
            "whole": ("A building near {place} is going up without any permit posted at the site.",),
        },
    },
    "stray-animals": {
        "vi": {
            "things": ("Đàn chó thả rông", "Chó không rọ mõm", "Bò thả rông", "Chó dữ", "Trâu bò"),
            "problems": (
                "đi lang thang ngoài đường",
                "rượt đuổi người đi xe đạp",
                "đã cắn một em nhỏ",
                "phóng uế khắp vỉa hè",
                "đi lang thang trên đường vào buổi sáng",
            ),
            "effects": (
                "người dân sợ bị cắn",
                "gây tai nạn giao thông",
                "lo ngại bệnh dại",
                "trẻ em không dám ra đường",
            ),
            "whole": (
                "Chó thả rông không rọ mõm ở kiệt {house} {street}, cắn người đi đường.",
                "Bò thả rông gặm cỏ giữa đường {street} gần {place}, xe cộ phải tránh.",
            ),
        },
        "en": {
            "things": ("Stray dogs", "A pack of dogs", "Cows"),
            "problems": ("roam without muzzles", "chase people on bicycles", "wander on the road"),
            "effects": ("a child was bitten", "it causes accidents"),
            "whole": ("Stray dogs near {place} chased my children this morning.",),
        },
    },
    "touting": {
        "vi": {
            "things": ("Người bán hàng rong", "Nhóm người ăn xin", "Xe ôm", "Người mời chào", "Cò mồi"),
            "problems": (
                "đeo bám du khách nước ngoài",
                "kéo tay ép khách mua hàng",
                "chèo kéo khách ngay cổng",
                "đi theo khách du lịch đến tận khách sạn",
                "nói là di tích đóng cửa để chở khách đi nơi khác",
            ),
            "effects": (
                "du khách rất khó chịu",
                "làm xấu hình ảnh du lịch Huế",
                "khách phải bỏ chạy",
                "tình trạng kéo dài nhiều tháng",
            ),
            "whole": (
                "Tình trạng đeo bám, chèo kéo khách du lịch ở {place} diễn ra hằng ngày.",
                "Trẻ em bán kẹo cao su níu áo du khách dọc đường {street}.",
            ),
        },
        "en": {
            "things": ("Hawkers", "Beggars", "A motorbike taxi driver", "Touts"),
            "problems": (
                "followed us for ten minutes, grabbing our arms",
                "told us the site was closed to take us elsewhere",
                "would not leave us alone",
            ),
            "effects": ("it spoiled our visit", "it was really unpleasant"),
            "whole": ("Touts at {place} keep pressing tourists to buy and follow them down {street}.",),
        },
    },
    "food-safety": {
        "vi": {
            "things": ("Quán ăn", "Sạp thịt", "Bếp ăn", "Xe bánh mì", "Cơ sở làm bún"),
            "problems": (
                "để thức ăn chín chung với thịt sống, ruồi bu đầy",
                "bán thịt không có dấu kiểm dịch",
                "dùng dầu chiên đen kịt nhiều lần",
                "chế biến trong điều kiện mất vệ sinh",
                "bán thực phẩm ôi thiu, không rõ nguồn gốc",
                "dùng hóa chất tẩy trắng",
            ),
            "effects": (
                "{count} người trong gia đình bị đau bụng, tiêu chảy",
                "nguy cơ ngộ độc thực phẩm",
                "ảnh hưởng sức khỏe người ăn",
                "học sinh ăn ở đây rất nhiều",
            ),
            "whole": (
                "Sau khi ăn ở quán số {house} {street}, {count} người bị ngộ độc phải vào viện.",
                "Thịt heo bán ở {place} có mùi hôi, không có tem kiểm dịch.",
            ),
        },
        "en": {
            "things": ("A restaurant", "A meat stall", "A street food cart"),
            "problems": ("keeps raw and cooked food together", "sells meat with no inspection stamp"),
            "effects": ("we got food poisoning", "flies everywhere on the food"),
            "whole": ("After eating at a place on {street}, {count} of us had food poisoning.",),
        },
    },
    "air-pollution": {
        "vi": {
            "things": ("Có người", "Xưởng mộc", "Lò đốt", "Cơ sở sản xuất", "Công trình"),
            "problems": (
                "đốt rác, đốt lá mỗi chiều",
                "thải bụi gỗ và mùi sơn nồng nặc",
                "xả khói đen mù mịt",
                "đốt rơm rạ, nhựa",
                "không che chắn, bụi bay mù trời",
            ),
            "effects": (
                "khói bay vào nhà dân",
                "trẻ em bị ho, khó thở",
                "mùi khét cả khu phố",
                "người dân phải đóng kín cửa",
            ),
            "whole": (
                "Khói đốt rác ở kiệt {house} {street} bay vào nhà, cả nhà bị ho.",
                "Bụi và mùi hôi từ xưởng sản xuất gần {place}, ô nhiễm không khí nghiêm trọng.",
            ),
        },
        "en": {
            "things": ("Someone", "A workshop", "A factory"),
            "problems": ("burns rubbish every evening", "gives off paint fumes and dust", "pours out black smoke"),
            "effects": ("the smoke comes into our house", "the children are coughing"),
            "whole": ("Open burning of plastic near {place}, thick smoke over the whole street.",),
        },
    },
    "river-pollution": {
        "vi": {
            "things": ("Nước thải", "Rác và bèo", "Vệt dầu", "Cống xả", "Mặt sông"),
            "problems": (
                "màu đen chảy thẳng xuống sông",
                "dạt đầy bờ sông",
                "loang trên mặt sông từ sáng nay",
                "xả thải xuống sông Hương",
                "có cá chết nổi trắng",
            ),
            "effects": (
                "bốc mùi hôi thối",
                "ô nhiễm nguồn nước",
                "mất mỹ quan dòng sông",
                "người dân không dám xuống sông",
            ),
            "whole": (
                "Sông Ngự Hà đoạn gần {place} đầy rác và nước đen bốc mùi.",
                "Cá chết nổi trên kênh gần {street}, nghi do nhà hàng xả nước thải.",
                "Có người đổ rác xuống sông Hương ở bến gần {place}.",
            ),
        },
        "en": {
            "things": ("Black waste water", "Rubbish", "An oil slick"),
            "problems": ("flows straight into the river", "floats along the river bank", "is spreading on the river"),
            "effects": ("the river stinks", "dead fish are floating"),
            "whole": ("Sewage is pouring into the Perfume River near {place}.",),
        },
    },
    "illegal-advertising": {
        "vi": {
            "things": ("Cột điện", "Tường nhà", "Băng rôn quảng cáo", "Tờ rơi", "Biển quảng cáo"),
            "problems": (
                "bị dán kín quảng cáo khoan cắt bê tông, cho vay",
                "treo trái phép trên cây xanh",
                "dán đầy số điện thoại rao vặt",
                "dựng lấn ra vỉa hè không phép",
                "bị phun sơn số điện thoại",
            ),
            "effects": (
                "nhếch nhác, mất mỹ quan đô thị",
                "vừa bóc xong lại dán tiếp",
                "che khuất biển báo giao thông",
            ),
            "whole": (
                "Quảng cáo rao vặt dán chi chít trên cột điện dọc đường {street}.",
                "Băng rôn, biển quảng cáo treo tràn lan ở {place}.",
                "Tờ rơi cho vay tiền nhanh dán khắp kiệt {house} {street}.",
            ),
        },
        "en": {
            "things": ("Lamp posts", "Walls", "Banners"),
            "problems": ("are covered in stickers for loans and drilling", "hang illegally from the trees"),
            "effects": ("it looks awful", "they cover the traffic signs"),
            "whole": ("Illegal adverts and phone numbers stuck on every pole along {street}.",),
        },
    },
    "heritage-damage": {
        "vi": {
            "things": ("Tường thành", "Cổng di tích", "Lăng mộ", "Bia đá", "Tường di tích"),
            "problems": (
                "bị vẽ bậy, viết tên lên",
                "bị du khách leo trèo chụp ảnh",
                "bị hộ dân dựng mái tôn sát bên",
                "bị lấn chiếm để buôn bán",
                "bị xuống cấp, gạch bị cạy",
            ),
            "effects": (
                "xâm hại di sản",
                "không ai nhắc nhở",
                "làm mất giá trị di tích",
            ),
            "whole": (
                "Có người vẽ bậy lên tường thành gần {place}.",
                "Du khách leo lên tường di tích ở {place} để chụp ảnh.",
                "Khu vực Kinh thành gần {street} bị lấn chiếm, xây dựng sát tường thành.",
            ),
        },
        "en": {
            "things": ("The citadel wall", "An old gate", "A royal tomb"),
            "problems": ("has been covered in graffiti", "is being climbed by visitors for photos"),
            "effects": ("nobody stops them", "the monument is being damaged"),
            "whole": ("Visitors were climbing the old walls at {place} to take photos; nobody stopped them.",),
        },
    },
    "good-deed": {
        "vi": {
            "things": ("Anh xe ôm", "Các em học sinh", "Chị bán hàng", "Một chú bảo vệ", "Nhóm thanh niên tình nguyện"),
            "problems": (
                "nhặt được ví tiền và trả lại cho người đánh rơi",
                "dọn sạch rác sau trận mưa lớn",
                "giúp một cụ già bị lạc tìm đường về nhà",
                "đưa người bị tai nạn đi cấp cứu",
                "giúp du khách tìm lại hộ chiếu bị mất",
            ),
            "effects": (
                "rất đáng khen",
                "đề nghị phường biểu dương",
                "một nghĩa cử đẹp",
                "xin cảm ơn tấm lòng tốt",
            ),
            "whole": (
                "Anh xe ôm ở {place} nhặt được {amount} USD và hộ chiếu của du khách, đã mang trả lại.",
                "Xin biểu dương các bạn đoàn viên đã dọn vệ sinh bờ sông gần {place}.",
            ),
        },
        "en": {
            "things": ("A motorbike driver", "Some students", "A shopkeeper"),
            "problems": ("found my wallet and gave it back", "helped an old man find his way home"),
            "effects": ("I would like to thank them", "they deserve recognition"),
            "whole": ("A kind taxi driver at {place} returned the passport I lost. Thank you!",),
        },
    },
    "thanks": {
        "vi": {
            "things": ("Đội vệ sinh môi trường", "Điện lực Huế", "Công an phường", "Cán bộ phường", "Đội cây xanh"),
            "problems": (
                "đã đến xử lý ngay trong buổi sáng",
                "đã sửa đèn đường chỉ sau một ngày phản ánh",
                "đã dọn sạch bãi rác đầu kiệt",
                "đã cắt tỉa cây nguy hiểm trước mùa mưa bão",
                "đã trả lời phản ánh rất nhanh và tận tình",
            ),
            "effects": (
                "xin chân thành cảm ơn",
                "người dân rất hài lòng",
                "cảm ơn các anh chị đã vất vả",
                "mong các đơn vị khác học tập",
            ),
            "whole": (
                "Cảm ơn Điện lực Huế đã sửa đèn đường ở {place} chỉ sau một ngày.",
                "Xin cảm ơn đội vệ sinh đã dọn sạch rác gần {place}, khu phố sạch đẹp hẳn.",
            ),
        },
        "en": {
            "things": ("The ward staff", "The power company", "The street cleaners"),
            "problems": ("fixed the streetlight the next day", "cleared the rubbish within hours"),
            "effects": ("thank you very much", "great work"),
            "whole": ("Thanks to the street cleaners who cleared the river bank at {place} so quickly!",),
        },
    },
}

OPENERS_VI = (
    "",
    "",
    "",
    "Kính gửi Trung tâm, ",
    "Xin phản ánh: ",
    "Cho em hỏi, ",
    "Phản ánh: ",
    "Tôi xin báo, ",
    "Alo trung tâm, ",
)
CLOSERS_VI = (
    "",
    "",
    "",
    " Đề nghị cơ quan chức năng xử lý.",
    " Mong được giải quyết sớm.",
    " Xin cảm ơn!",
    " Đề nghị kiểm tra gấp.",
    " Người dân đã phản ánh nhiều lần.",
    " Mong chính quyền quan tâm.",
)
WHEN_VI = ("", "", "mấy hôm nay", "từ sáng nay", "tối qua", "đã {count} ngày nay", "thường xuyên", "từ tuần trước")
WHERE_VI = (
    "ở {street}",
    "trước nhà số {house} {street}",
    "trong kiệt {house} {street}",
    "gần {place}",
    "trên đường {street} đoạn gần {place}",
    "tại {place}",
)
OPENERS_EN = ("", "", "Hello, ", "Please help: ", "Report: ", "Dear city, ")
CLOSERS_EN = ("", "", " Please fix it.", " Please take action.", " Thank you.", " This has happened many times.")
WHEN_EN = ("", "", "since this morning", "for days", "last night", "every evening")
WHERE_EN = ("on {street}", "in front of number {house} {street}", "near {place}", "at {place}")

PATTERNS_VI = (
    "{opener}{thing} {where} {problem}{when}, {effect}.{closer}",
    "{opener}{Where}, {thing_lower} {problem}{when}.{closer}",
    "{opener}{thing} {where} {problem}. {Effect}.{closer}",
    "{opener}{When_first}{thing_lower} {where} {problem}, {effect}.{closer}",
    "{opener}{whole}{closer}",
    "{opener}{whole} {Effect}.{closer}",
    "{thing} {problem}",
)
PATTERNS_EN = (
    "{opener}{thing} {where} {problem}{when}; {effect}.{closer}",
    "{opener}{thing} {where} {problem}. {Effect}.{closer}",
    "{opener}{whole}{closer}",
    "{opener}{whole} {Effect}.{closer}",
)

# Shares of the languages a text is written in; the rest is Vietnamese with its accents.
ENGLISH_SHARE = 0.15
NO_ACCENTS_SHARE = 0.15
TYPO_SHARE = 0.1

_STREETS = tuple(sorted({street for ward in WARDS for street in ward.streets}))
_LANDMARKS = tuple(sorted({landmark for ward in WARDS for landmark in ward.landmarks}))


def strip_accents(text: str) -> str:
    """Vietnamese as typed without a Vietnamese keyboard: no tone marks or diacritics, đ as d."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _typo(rng, text):
    """One slip of the thumb: a letter dropped, doubled or swapped with the next."""
    positions = [i for i in range(1, len(text) - 1) if text[i].isalpha() and text[i + 1].isalpha()]
    if not positions:
        return text
    i = rng.choice(positions)
    match rng.randrange(3):
        case 0:
            return text[:i] + text[i + 1 :]
        case 1:
            return text[:i] + text[i] + text[i:]
        case _:
            return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _first_upper(text):
    return text[:1].upper() + text[1:]


def _first_lower(text):
    # "Đèn đường" -> "đèn đường", but a place or a number ("Nhà số 12") keeps its capital when it is a name.
    return text[:1].lower() + text[1:] if text[:1].isupper() and not text[1:2].isupper() else text


def demo_text(rng: random.Random, category_code: str, *, street=None, place=None) -> tuple[str, str]:
    """One citizen's text about `category_code`: (language, text). Street and place default to Hue's."""
    language = "en" if rng.random() < ENGLISH_SHARE else "vi"
    words = VOCABULARY[category_code][language]
    street = street or rng.choice(_STREETS)
    if place is None:
        other = rng.choice(_STREETS)
        place = rng.choice(_LANDMARKS) if rng.random() < 0.6 else (f"đường {other}" if language == "vi" else other)
    values = {
        "street": street,
        "place": place,
        "house": rng.randint(2, 180),
        "count": rng.randint(2, 7),
        "amount": rng.choice((150, 200, 250, 300, 350, 500, 600, 800)),
        "depth": rng.choice((20, 30, 40, 50, 60)),
        "morning": rng.choice((5, 6, 7, 8)),
        "evening": rng.choice((4, 5, 6, 7)),
        "night": rng.choice((22, 23, 24)),
    }
    fill = lambda pattern: pattern.format(**values)  # noqa: E731
    english = language == "en"
    when = fill(rng.choice(WHEN_EN if english else WHEN_VI))
    where = fill(rng.choice(WHERE_EN if english else WHERE_VI))
    thing = fill(rng.choice(words["things"]))
    effect = fill(rng.choice(words["effects"]))
    parts = {
        "opener": rng.choice(OPENERS_EN if english else OPENERS_VI),
        "closer": rng.choice(CLOSERS_EN if english else CLOSERS_VI),
        "thing": thing,
        "thing_lower": _first_lower(thing),
        "problem": fill(rng.choice(words["problems"])),
        "effect": effect,
        "Effect": _first_upper(effect),
        "where": where,
        "Where": _first_upper(where),
        "when": f" {when}" if when else "",
        "When_first": f"{_first_upper(when)}, " if when else "",
        "whole": fill(rng.choice(words["whole"])),
    }
    text = rng.choice(PATTERNS_EN if english else PATTERNS_VI).format(**parts)
    # An opener that ends with a comma is followed by a lower-case sentence; otherwise the sentence starts upper.
    if parts["opener"].endswith(", ") and not english:
        head = len(parts["opener"])
        text = text[:head] + _first_lower(text[head:])
    text = _first_upper(" ".join(text.split()))
    if not english and rng.random() < NO_ACCENTS_SHARE / (1 - ENGLISH_SHARE):
        text = strip_accents(text)
        if rng.random() < 0.3:
            text = text.lower()
    if rng.random() < TYPO_SHARE:
        text = _typo(rng, text)
    return language, text


def demo_texts(count: int, seed: int = 2026) -> list[tuple[str, str, str]]:
    """`count` labelled texts, (category_code, language, text), categories drawn as often as the demo city reports
    them, every category at least min(8, count // categories) times so the rarest can still be learnt."""
    rng = random.Random(f"classifier-demo:{seed}")
    codes = sorted(CATEGORY_WEIGHTS)
    floor = min(8, count // len(codes))
    drawn = [code for code in codes for _ in range(floor)]
    drawn += rng.choices(codes, weights=[CATEGORY_WEIGHTS[code] for code in codes], k=count - len(drawn))
    rng.shuffle(drawn)
    return [(code, *demo_text(rng, code)) for code in drawn]
