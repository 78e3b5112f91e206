"""What the demo's agencies answer, and the names of its citizens. What the citizens write comes from
dashboard/classifier/demo_texts.py, varied enough for the category classifier to learn from."""

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
