"""What the demo's citizens write and what the agencies answer. Placeholders: {street} (a street of the
ward), {place} (a landmark of the ward, or the street), {house}, {morning}, {evening}, {night}
(hours), {amount}, {count}."""

DESCRIPTIONS_VI = {
    "price-gouging": (
        "Quán ăn gần {place} tính {amount}.000 đồng cho 2 tô bún bò và 2 ly trà đá, không có bảng giá niêm yết.",
        "Xích lô ở {place} thỏa thuận 100.000 đồng, đi xong đòi {amount}.000 đồng, lời qua tiếng lại với khách.",
        "Hàng lưu niệm trong {place} nói thách gấp 3-4 lần, khách nước ngoài bị ép mua nón lá {amount}.000 đồng.",
        "Thuyền rồng ở {place} thu {amount}.000 đồng mỗi người, cao hơn nhiều so với giá niêm yết ở bến.",
    ),
    "sidewalk-encroachment": (
        "Quán cà phê số {house} {street} bày bàn ghế kín vỉa hè, người đi bộ phải xuống lòng đường.",
        "Dãy hàng trái cây trước {place} lấn ra cả lòng đường từ {morning} giờ sáng, gây ùn tắc.",
        "Cửa hàng số {house} {street} dựng mái che và để xe máy chiếm hết vỉa hè.",
        "Quán nhậu ở {street} kê bàn ra tận mép đường vào buổi tối, rất nguy hiểm.",
    ),
    "garbage": (
        "Điểm tập kết rác ở kiệt {house} {street} đã {count} ngày chưa được thu gom, bốc mùi hôi thối.",
        "Có người đổ xà bần và rác sinh hoạt bên đường {street}, gần {place}.",
        "Thùng rác công cộng trước nhà số {house} {street} bị đầy tràn, chó mèo bới tung ra đường.",
        "Sau phiên chợ, rác thải vương vãi khắp {place}, chưa thấy ai dọn.",
    ),
    "broken-streetlight": (
        "Đèn đường trước nhà số {house} {street} không sáng đã {count} đêm, đoạn này rất tối.",
        "Cả dãy đèn trên đường {street} đoạn gần {place} chập chờn, lúc sáng lúc tắt.",
        "Đèn chiếu sáng ở kiệt {house} {street} sáng cả ban ngày, lãng phí điện.",
    ),
    "flooding": (
        "Mưa lớn từ {morning} giờ sáng, đường {street} đoạn trước nhà số {house} ngập sâu khoảng 40 cm, xe chết máy.",
        "Kiệt {house} {street} ngập nước sau mưa, nước không thoát được, tràn vào nhà dân.",
        "Nước ngập gần {place}, người dân phải dắt xe qua.",
    ),
    "blocked-drain": (
        "Hố ga trước nhà số {house} {street} bị tắc, nước đen tràn lên mặt đường, bốc mùi.",
        "Nắp cống ở {street} gần {place} bị mất, rất nguy hiểm cho người đi đường ban đêm.",
        "Cống thoát nước trong kiệt {house} {street} bị rác làm tắc, mưa nhỏ cũng ngập.",
    ),
    "pothole": (
        "Ổ gà lớn giữa đường {street}, đoạn trước nhà số {house}, đã có người té xe.",
        "Mặt đường {street} gần {place} bị sụt lún sau đợt mưa, có hố sâu khoảng 20 cm.",
        "Vỉa hè {street} bị vỡ, gạch bong tróc, người già đi lại khó khăn.",
    ),
    "traffic-violation": (
        "Nhiều xe máy vượt đèn đỏ ở ngã tư {street} vào giờ tan tầm khoảng {evening} giờ chiều.",
        "Nhóm thanh niên đua xe, nẹt pô trên đường {street} khoảng {night} giờ đêm.",
        "Xe tải chạy ngược chiều trên đường {street} đoạn gần {place}.",
    ),
    "illegal-parking": (
        "Ô tô đỗ dưới biển cấm trước nhà số {house} {street} cả ngày, cản trở lối ra vào.",
        "Xe du lịch đỗ thành hàng dài ở {place}, chiếm một làn đường.",
        "Xe máy để tràn ra lòng đường trước quán số {house} {street}.",
    ),
    "noise": (
        "Quán karaoke số {house} {street} hát to đến {night} giờ khuya, cả xóm không ngủ được.",
        "Nhà số {house} {street} mở loa kẹo kéo hát từ chiều đến tối mỗi ngày.",
        "Công trình gần {place} đổ bê tông ban đêm, máy trộn chạy ầm ầm sau 22 giờ.",
    ),
    "fallen-tree": (
        "Cây phượng trước nhà số {house} {street} bị gãy sau cơn dông, đổ chắn nửa đường.",
        "Cây xà cừ ở {place} nghiêng hẳn ra đường, rễ bật lên, có nguy cơ đổ.",
        "Cành khô lớn trên cây ven đường {street} sắp rơi, ngay chỗ học sinh đứng chờ.",
    ),
    "water-leak": (
        "Ống nước bị vỡ trước nhà số {house} {street}, nước phun lên mặt đường từ sáng.",
        "Khu vực kiệt {house} {street} mất nước sinh hoạt từ {morning} giờ sáng, chưa có thông báo.",
        "Đồng hồ nước ở {street} gần {place} rò rỉ liên tục, nước chảy lênh láng.",
    ),
    "power-outage": (
        "Khu vực {street} mất điện từ {evening} giờ chiều, chưa thấy có điện lại.",
        "Dây điện võng thấp sát đầu người ở kiệt {house} {street}, rất nguy hiểm.",
        "Tủ điện trên vỉa hè {street} gần {place} bị mở cửa, dây điện hở.",
    ),
    "illegal-construction": (
        "Nhà số {house} {street} đang xây thêm tầng, không thấy treo giấy phép xây dựng.",
        "Công trình gần {place} xây lấn ra mương thoát nước chung.",
        "Có người dựng nhà tạm trên đất công ở kiệt {house} {street}.",
    ),
    "stray-animals": (
        "Đàn chó thả rông không rọ mõm ở kiệt {house} {street}, đã cắn một em nhỏ.",
        "Bò thả rông đi lang thang trên đường {street} vào buổi sáng.",
    ),
    "touting": (
        "Người bán hàng rong đeo bám du khách nước ngoài ở {place}, kéo tay ép mua.",
        "Nhóm người ăn xin đi theo khách du lịch dọc đường {street} đến tận khách sạn.",
        "Xe ôm chèo kéo khách ngay cổng {place}, nói là di tích đóng cửa để chở đi nơi khác.",
    ),
    "food-safety": (
        "Quán ăn số {house} {street} để thức ăn chín chung với thịt sống, ruồi bu đầy.",
        "Sạp hàng ở {place} bán thịt không có dấu kiểm dịch.",
        "Sau khi ăn ở quán số {house} {street}, {count} người trong gia đình bị đau bụng.",
    ),
    "air-pollution": (
        "Có người đốt rác, đốt lá mỗi chiều ở kiệt {house} {street}, khói bay vào nhà dân.",
        "Xưởng mộc ở {street} gần {place} thải bụi gỗ và mùi sơn nồng nặc.",
    ),
    "river-pollution": (
        "Nước thải màu đen từ cống {street} chảy thẳng xuống sông, bốc mùi.",
        "Rác và bèo dạt đầy bờ sông gần {place}.",
        "Có vệt dầu loang trên mặt sông gần {place} từ sáng nay.",
    ),
    "illegal-advertising": (
        "Cột điện trước nhà số {house} {street} dán kín quảng cáo khoan cắt bê tông, cho vay.",
        "Băng rôn quảng cáo treo trái phép trên cây xanh dọc đường {street}.",
    ),
    "heritage-damage": (
        "Có người vẽ bậy lên tường thành gần {place}.",
        "Du khách leo lên tường di tích ở {place} để chụp ảnh, không ai nhắc nhở.",
        "Hộ dân dựng mái tôn sát tường di tích ở {street}.",
    ),
    "good-deed": (
        "Anh xe ôm ở {place} nhặt được ví của du khách có {amount} USD và hộ chiếu, đã mang trả lại.",
        "Các em học sinh trên đường {street} dọn sạch rác sau trận mưa lớn, rất đáng khen.",
        "Chị bán hàng ở {place} giúp một cụ già bị lạc tìm được đường về nhà.",
    ),
}

# Visitors write some tourism reports in English.
DESCRIPTIONS_EN = {
    "price-gouging": (
        "A cyclo driver near {place} agreed on 100,000 VND, then asked {amount},000 VND at the end of a short ride.",
        "A restaurant near {place} charged us {amount},000 VND for two bowls of noodle soup. No menu with prices.",
    ),
    "touting": (
        "Hawkers at {place} followed us for ten minutes, grabbing our arms to make us buy.",
        "A motorbike driver at {place} told us the site was closed and tried to take us elsewhere.",
    ),
    "heritage-damage": ("Visitors were climbing the old walls at {place} to take photos; nobody stopped them.",),
}

PROGRESS_NOTES = {
    "sidewalk-encroachment": "Đội đã đến kiểm tra, lập biên bản và yêu cầu chủ hộ thu dọn.",
    "garbage": "Đã bố trí xe thu gom trong ca chiều.",
    "broken-streetlight": "Đã kiểm tra, cần thay bộ đèn; vật tư đang được điều chuyển.",
    "flooding": "Đã cử tổ ứng trực khơi thông cửa thu nước.",
    "pothole": "Đã cắm biển cảnh báo, lên kế hoạch vá mặt đường.",
    "water-leak": "Đã khóa van khu vực, tổ sửa chữa đang trên đường đến.",
    "power-outage": "Đã xác định sự cố tại trạm biến áp, đang khắc phục.",
    "illegal-construction": "Đã kiểm tra hồ sơ cấp phép, mời chủ công trình lên làm việc.",
    "price-gouging": "Đã làm việc với hộ kinh doanh và yêu cầu niêm yết giá.",
}
PROGRESS_DEFAULT = "Đơn vị đã tiếp nhận và cử cán bộ đến hiện trường kiểm tra."

RESOLVE_NOTES = {
    "price-gouging": "Đã xử phạt hành chính hộ kinh doanh, yêu cầu niêm yết và bán đúng giá.",
    "sidewalk-encroachment": "Đã giải tỏa vỉa hè, chủ hộ cam kết không tái phạm.",
    "garbage": "Đã thu gom sạch và nhắc nhở hộ dân đổ rác đúng giờ, đúng nơi.",
    "broken-streetlight": "Đã thay bộ đèn LED mới, đèn hoạt động bình thường.",
    "flooding": "Đã khơi thông cống, nước đã rút hết.",
    "blocked-drain": "Đã nạo vét hố ga và thay nắp mới.",
    "pothole": "Đã vá ổ gà, hoàn trả mặt đường.",
    "traffic-violation": "Đã tăng cường tuần tra tại khu vực, xử lý các trường hợp vi phạm.",
    "illegal-parking": "Đã xử phạt và yêu cầu di dời phương tiện.",
    "noise": "Công an phường đã đến nhắc nhở, lập biên bản; hộ kinh doanh đã cam kết.",
    "fallen-tree": "Đã cưa dọn cây gãy, thông đường; cây nghiêng đã được chằng chống.",
    "water-leak": "Đã thay đoạn ống bị vỡ, cấp nước trở lại bình thường.",
    "power-outage": "Đã khắc phục sự cố, cấp điện trở lại.",
    "illegal-construction": "Đã lập biên bản đình chỉ thi công, yêu cầu tháo dỡ phần sai phép.",
    "stray-animals": "Đã phối hợp với phường bắt giữ chó thả rông, nhắc nhở chủ nuôi.",
    "touting": "Đã phối hợp với công an phường nhắc nhở, bố trí lực lượng hỗ trợ du khách.",
    "food-safety": "Đã kiểm tra, xử phạt và tiêu hủy thực phẩm không rõ nguồn gốc.",
    "air-pollution": "Đã xử phạt hành vi đốt rác, yêu cầu cơ sở lắp thiết bị lọc bụi.",
    "river-pollution": "Đã vớt rác, ngăn nguồn xả thải và báo cáo Sở để xử lý.",
    "illegal-advertising": "Đã bóc gỡ quảng cáo, xử phạt số điện thoại in trên quảng cáo.",
    "heritage-damage": "Đã làm sạch vết vẽ, tăng cường bảo vệ tại khu vực.",
    "good-deed": "UBND phường đã gửi thư khen và biểu dương tại buổi sinh hoạt khu phố.",
}

REJECT_REASONS = (
    "Nội dung không đủ thông tin để xác minh (không rõ vị trí).",
    "Vị trí phản ánh nằm ngoài địa bàn thành phố.",
    "Nội dung là quảng cáo, không phải phản ánh.",
    "Hình ảnh và mô tả không khớp với hiện trường khi kiểm tra.",
    "Vụ việc đang được tòa án thụ lý, không thuộc phạm vi xử lý của hệ thống.",
)
REOPEN_REASONS = (
    "Sau hai ngày tình trạng lại như cũ.",
    "Chỉ xử lý tạm thời, hôm nay lại tái diễn.",
    "Báo đã xử lý nhưng ra xem thì vẫn chưa làm gì.",
)
RETURN_REASONS = (
    "Không thuộc thẩm quyền của đơn vị, đề nghị Trung tâm chuyển đơn vị phù hợp.",
    "Vị trí thuộc địa bàn đơn vị khác quản lý.",
)
RATING_COMMENTS = {
    5: ("Xử lý rất nhanh, cảm ơn!", "Cảm ơn các anh chị.", ""),
    4: ("Đã xử lý, cảm ơn.", ""),
    3: ("Xử lý chậm nhưng đã xong.", ""),
    2: ("Xử lý chưa triệt để.",),
    1: ("Quá chậm, phải phản ánh nhiều lần.",),
}
MERGE_NOTE = "Trùng với phản ánh đã tiếp nhận."
RECATEGORISE_NOTE = "Điều chỉnh lĩnh vực cho đúng nội dung phản ánh."

FAMILY_NAMES = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Võ",
    "Đặng",
    "Bùi",
    "Hồ",
    "Ngô",
    "Dương",
    "Tôn Nữ",
    "Tôn Thất",
    "Nguyễn Phước",
    "Trương",
    "Đoàn",
)
MIDDLE_NAMES = ("Văn", "Thị", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Hữu", "Phương", "Bảo")
GIVEN_NAMES = (
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Ngân",
    "Phúc",
    "Quân",
    "Tâm",
    "Thảo",
    "Trang",
    "Trung",
    "Tuấn",
    "Vy",
)
