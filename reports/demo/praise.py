"""Good deeds and thanks in the demo city: what Hue's citizens share besides problems, checked by the centre and
published (a few rejected, the latest still waiting). A share of the seed's cases (`share_of`), planned like the
stories (stories.py) and replayed with them in time order, so every history still reads in the order it was written.
"""

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from .. import services
from ..media import check_uploads
from ..models import Case, Category
from ..services.praise import GOOD_DEED, THANKS, praise_submit
from . import places, stories, texts
from .photos import street_photo

# One case in PRAISE_EVERY is a good deed or a thanks, in a seed big enough to show every problem state besides.
PRAISE_EVERY = 12
MIN_CASES = 48
# Numbers above every story's, so the replay's keys never meet.
FIRST_NUMBER = 100_001

GOOD_DEEDS = (
    "Anh xe ôm ở {place} nhặt được chiếc ví có {amount} triệu đồng và hộ chiếu của một du khách Hàn Quốc, đã tìm "
    "đến tận khách sạn để trả lại.",
    "Các bạn sinh viên Đại học Huế tình nguyện dọn rác dọc bờ sông Hương đoạn gần {place} vào sáng Chủ nhật.",
    "Chị bán hàng ở {place} thấy một cụ bà bị lạc, đã cho cụ uống nước, gọi điện cho con cháu đến đón về.",
    "Trời mưa ngập, chú bảo vệ ở {place} đứng dầm mưa giúp các em học sinh dắt xe qua đoạn đường ngập.",
    "Thanh niên trong kiệt {house} {street} tự góp tiền thay bóng đèn chiếu sáng, tối về đi lại an toàn hơn.",
    "Anh tài xế taxi trả lại chiếc điện thoại và túi xách du khách để quên trên xe, đón ở {place}.",
    "Bà con đường {street} cùng nhau khơi thông cống thoát nước trước mùa mưa bão, không chờ ai nhắc.",
    "Em học sinh lớp 7 nhặt được {amount} triệu đồng trước cổng trường trên đường {street}, đã nộp cho công an "
    "phường để trả lại người đánh rơi.",
    "Cô giáo về hưu ở {place} mở lớp dạy bơi miễn phí cho trẻ em trong xóm suốt mùa hè.",
    "Bác xích lô ở {place} giúp một du khách nước ngoài bị ngã xe, đưa đi trạm y tế và ở lại phiên dịch giúp.",
    "Hội phụ nữ khu phố nấu cơm miễn phí mỗi trưa cho người nhà bệnh nhân nghèo, phát ở gần {place}.",
    "Mấy anh thợ sửa xe trên đường {street} vá xe, thay nhớt miễn phí cho người đi đường trong mấy ngày lụt.",
    "Một nhóm bạn trẻ nhặt sạch rác quanh {place} sau đêm lễ hội, không để lại một chai nhựa nào.",
    "Anh công nhân đi ngang {place} thấy cây ngã chắn đường đã cùng người dân kéo vào lề, cắm biển báo cho xe tránh.",
)

# (agency code, words); "{ward}" stands for the ward's own people's committee.
THANKS_TO = (
    ("hepco", "Cảm ơn HEPCO đã thu gom rác ngay trong đêm sau trận lũ, sáng ra đường {street} đã sạch sẽ."),
    ("pc-hue", "Cảm ơn Điện lực Huế đã khắc phục sự cố mất điện ở {street} chỉ trong hai giờ, dù mưa to."),
    ("huewaco", "Cảm ơn HueWACO đã sửa đường ống vỡ ở {street} rất nhanh, đến chiều là có nước lại."),
    ("csgt-hue", "Cảm ơn các anh CSGT đã phân luồng ở cầu Trường Tiền giờ tan tầm, xe cộ đi lại thông suốt."),
    ("qtdt-hue", "Cảm ơn Đội Quy tắc đô thị đã dẹp lấn chiếm vỉa hè đường {street}, đi bộ an toàn hơn hẳn."),
    ("bql-cho-dong-ba", "Cảm ơn BQL chợ Đông Ba đã yêu cầu các sạp niêm yết giá, khách du lịch mua hàng yên tâm."),
    ("cvcx-hue", "Cảm ơn Trung tâm Công viên cây xanh đã cắt tỉa cây trên đường {street} trước mùa bão."),
    ("ttbtdt-hue", "Cảm ơn Trung tâm Bảo tồn Di tích đã làm sạch vết vẽ bậy trên tường thành chỉ sau một ngày."),
    ("ca-hue", "Cảm ơn Công an thành phố đã giúp tôi tìm lại chiếc xe máy bị mất ở {place} chỉ sau hai ngày."),
    ("{ward}", "Cảm ơn UBND phường đã giải quyết hồ sơ của gia đình tôi rất nhanh và hướng dẫn tận tình."),
    ("{ward}", "Cảm ơn phường đã cho sửa lại con kiệt {house} {street}, bà con đi lại không còn lầy lội."),
)

REJECT_REASONS = (
    "Nội dung mang tính công kích cá nhân, không phù hợp để đăng công khai.",
    "Nội dung quảng cáo cho cửa hàng, không phải việc tốt.",
    "Nêu đầy đủ họ tên và địa chỉ người khác khi chưa được đồng ý.",
)


@dataclass
class PraisePlan(stories.CasePlan):
    # The agency a thanks names.
    agency: str | None = None

    @property
    def external_id(self):
        return f"demo-praise-{self.number - FIRST_NUMBER + 1:03d}"


def share_of(count) -> int:
    """How many of `count` demo cases are good deeds or thanks."""
    return count // PRAISE_EVERY if count >= MIN_CASES else 0


def _contact(rng):
    if rng.random() < 0.5:
        return {}
    name = f"{rng.choice(texts.FAMILY_NAMES)} {rng.choice(texts.MIDDLE_NAMES)} {rng.choice(texts.GIVEN_NAMES)}"
    return {"name": name, "email": f"nguoidan{rng.randint(100, 999)}@example.org"}


def _plan(rng, number, created, now):
    ward = rng.choice(places.WARDS)
    street = rng.choice(ward.streets)
    place = rng.choice(ward.landmarks) if ward.landmarks else f"đường {street}"
    words = {"place": place, "street": street, "house": rng.randint(2, 180), "amount": rng.randint(2, 30)}
    agency = None
    if rng.random() < 0.45:
        code, template = rng.choice(THANKS_TO)
        agency = f"ubnd-{ward.code}" if code == "{ward}" else code
        category = THANKS
    else:
        template = rng.choice(GOOD_DEEDS)
        category = GOOD_DEED
    latitude, longitude = places.point_in_ward(rng, ward.code)
    plan = PraisePlan(
        number=number,
        category=category,
        submitted_category=category,
        ward=ward.code,
        latitude=latitude,
        longitude=longitude,
        address=place[:1].upper() + place[1:],
        description=template.format(**words),
        language="vi",
        contact=_contact(rng),
        photo=category == GOOD_DEED and rng.random() < 0.4,
        priority="low",
        created=created,
        agency=agency,
        steps=[stories.Step(created, "submit")],
    )
    # The centre checks it within a day or so, in office hours; what it has not reached yet is still waiting.
    checked = stories._office(rng, created + timedelta(hours=rng.uniform(1, 30)))
    if checked < now:
        if rng.random() < 0.08:
            plan.steps.append(stories.Step(checked, "reject", {"reason": rng.choice(REJECT_REASONS)}))
        else:
            plan.steps.append(stories.Step(checked, "verify"))
    return plan


def plan_praise(count, *, seed, now) -> list[PraisePlan]:
    """`count` good deeds and thanks over the year before `now`, oldest first; the same for the same arguments."""
    moments = stories.creation_times(random.Random(f"{seed}:praise-times:{count}"), count, now)
    return [
        _plan(random.Random(f"{seed}:praise:{number}"), number, created, now)
        for number, created in enumerate(moments, start=FIRST_NUMBER)
    ]


def play(player, plan, step):
    """One step of a praise plan, for seed._Player."""
    if step.action == "submit":
        uploads = ()
        if plan.photo:
            photo = street_photo(random.Random(f"{plan.external_id}:photo"), plan.category, step.at)
            uploads = check_uploads([SimpleUploadedFile("photo.jpg", photo, "image/jpeg")])
        submission = praise_submit(
            category=Category.objects.get(code=plan.category),
            agency=player.agencies[plan.agency] if plan.agency else None,
            description=plan.description,
            latitude=Decimal(f"{plan.latitude:.6f}"),
            longitude=Decimal(f"{plan.longitude:.6f}"),
            address=plan.address,
            uploads=uploads,
            language=plan.language,
            external_id=plan.external_id,
            **plan.contact,
        )
        player.cases[plan.number], player.tokens[plan.number] = submission.case, submission.token
        return
    case = player.cases.get(plan.number) or Case.objects.get(external_id=plan.external_id)
    if step.action == "verify":
        case = services.case_verify(case=case, by=player.operator)
    elif step.action == "reject":
        case = services.case_reject(case=case, by=player.operator, reason=step.args["reason"])
    else:
        raise ValueError(f"Unknown demo step {step.action!r} for a good deed")
    player.cases[plan.number] = case
