"""The synthetic national data's criteria catalogue: blocks, groups, criteria, rules, bands."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

PREFIX = "national-"
LEGACY_YEARS = tuple(range(2019, 2025))
DEFAULT_YEARS = (*LEGACY_YEARS, 2025)
# The national block ("provinces") comes last so the other blocks' draws keep their seeds.
BLOCK_MAXIMUM = {"departments": 100, "districts": 150, "communes": 100, "provinces": 1000}
LEGACY_BLOCKS = ("departments", "districts", "communes")
CURRENT_BLOCKS = ("departments", "communes")
SCORE_FIELDS = [
    "cycle",
    "agency",
    "criterion",
    "stage",
    "value",
    "denominator",
    "choice",
    "points",
    "max_points",
    "comment",
    "is_synthetic",
    "updated_at",
    "updated_by",
]
CHUNK = 200_000  # rows per COPY or bulk_create chunk: bounds the text held in memory

# A legacy province's departments, boards and sectors (20, as Vĩnh Phúc ranked them; the
# demo uses the same slugs, so its departments are reused).
LEGACY_DEPARTMENTS = (
    ("so-tttt", "Sở TT&TT", "Sở Thông tin và Truyền thông"),
    ("vp-ubnd", "VP UBND tỉnh", "Văn phòng UBND tỉnh"),
    ("so-tc", "Sở Tài chính", "Sở Tài chính"),
    ("so-xd", "Sở Xây dựng", "Sở Xây dựng"),
    ("so-ldtbxh", "Sở LĐ-TB&XH", "Sở Lao động - Thương binh và Xã hội"),
    ("so-nv", "Sở Nội vụ", "Sở Nội vụ"),
    ("so-khdt", "Sở KH&ĐT", "Sở Kế hoạch và Đầu tư"),
    ("so-tp", "Sở Tư pháp", "Sở Tư pháp"),
    ("so-tnmt", "Sở TN&MT", "Sở Tài nguyên và Môi trường"),
    ("so-gddt", "Sở GD&ĐT", "Sở Giáo dục và Đào tạo"),
    ("so-yt", "Sở Y tế", "Sở Y tế"),
    ("so-gtvt", "Sở GTVT", "Sở Giao thông vận tải"),
    ("so-nnptnt", "Sở NN&PTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("so-khcn", "Sở KH&CN", "Sở Khoa học và Công nghệ"),
    ("so-vhttdl", "Sở VHTT&DL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("thanh-tra", "Thanh tra tỉnh", "Thanh tra tỉnh"),
    ("so-ngv", "Sở Ngoại vụ", "Sở Ngoại vụ"),
    ("ban-dt", "Ban Dân tộc", "Ban Dân tộc"),
    ("so-ct", "Sở Công Thương", "Sở Công Thương"),
    ("bql-kcn", "BQL các KCN", "Ban Quản lý các Khu công nghiệp"),
)

# The 2025 structure (departments merged with the provinces): each with the legacy
# departments it took over and whether it took the whole of each.
CURRENT_DEPARTMENTS = (
    ("vp-ubnd", "VP UBND tỉnh", "Văn phòng UBND tỉnh", (("vp-ubnd", True), ("so-ngv", True))),
    ("so-nv", "Sở Nội vụ", "Sở Nội vụ", (("so-nv", True), ("so-ldtbxh", False))),
    ("so-tc", "Sở Tài chính", "Sở Tài chính", (("so-tc", True), ("so-khdt", True))),
    ("so-xd", "Sở Xây dựng", "Sở Xây dựng", (("so-xd", True), ("so-gtvt", True))),
    (
        "so-nnmt",
        "Sở NN&MT",
        "Sở Nông nghiệp và Môi trường",
        (("so-nnptnt", True), ("so-tnmt", True)),
    ),
    ("so-khcn", "Sở KH&CN", "Sở Khoa học và Công nghệ", (("so-khcn", True), ("so-tttt", False))),
    ("so-gddt", "Sở GD&ĐT", "Sở Giáo dục và Đào tạo", (("so-gddt", True),)),
    ("so-yt", "Sở Y tế", "Sở Y tế", (("so-yt", True), ("so-ldtbxh", False))),
    (
        "so-vhttdl",
        "Sở VHTT&DL",
        "Sở Văn hóa, Thể thao và Du lịch",
        (("so-vhttdl", True), ("so-tttt", False)),
    ),
    ("so-ct", "Sở Công Thương", "Sở Công Thương", (("so-ct", True),)),
    ("so-tp", "Sở Tư pháp", "Sở Tư pháp", (("so-tp", True),)),
    ("thanh-tra", "Thanh tra tỉnh", "Thanh tra tỉnh", (("thanh-tra", True),)),
    ("so-dttg", "Sở DT&TG", "Sở Dân tộc và Tôn giáo", (("ban-dt", True),)),
    ("bql-kcn", "BQL các KCN", "Ban Quản lý các Khu công nghiệp", (("bql-kcn", True),)),
)

# ---------------------------------------------------------------------------------------
# The criteria catalogue: 8 sub-groups × 10 criteria. Shapes follow published decisions
# (readiness: infrastructure, staff, policy, security; application level: transparency,
# internal use, online public services, digital transformation); names, maxima and rules
# are synthetic. `{unit}` and `{sub}` are filled per block.
#
# Each criterion: (name, rule, extra). extra is: ratio (denominator low, high); steps the
# thresholds; choice ((key, fraction), ...); capped the units for full points; relative
# the scale of the raw count.

GROUPS = (
    ("1", None, "Điều kiện sẵn sàng", "Readiness"),
    ("1.1", "1", "Hạ tầng kỹ thuật CNTT", "IT infrastructure"),
    ("1.2", "1", "Nhân lực CNTT", "IT staff"),
    ("1.3", "1", "Môi trường chính sách", "Policy environment"),
    ("1.4", "1", "An toàn thông tin mạng", "Cyber security"),
    ("2", None, "Mức độ ứng dụng", "Application level"),
    ("2.1", "2", "Công khai, minh bạch", "Transparency"),
    ("2.2", "2", "Ứng dụng trong điều hành, tác nghiệp", "Internal use"),
    ("2.3", "2", "Dịch vụ công trực tuyến", "Online public services"),
    ("2.4", "2", "Chuyển đổi số, dữ liệu", "Digital transformation and data"),
)
FULL = (("full", "1"), ("partial", "0.5"), ("none", "0"))
LEAD = (("chair", "1"), ("deputy", "0.5"), ("none", "0"))
APPROVAL = (("approved", "1"), ("submitted", "0.5"), ("none", "0"))
FOUR = (1, 2, 3, 4)
CATALOGUE: dict[str, tuple[tuple[str, str, Any], ...]] = {  # (name, rule, extra) per group
    "1.1": (
        ("Tỷ lệ cán bộ, công chức được trang bị máy tính", "ratio", (10, 150)),
        ("Tỷ lệ máy tính kết nối Internet băng thông rộng", "ratio", (10, 150)),
        ("Tỷ lệ {sub} có mạng LAN, kết nối Internet", "ratio", (3, 30)),
        ("Kết nối mạng truyền số liệu chuyên dùng", "choice", FULL),
        ("Hệ thống hội nghị truyền hình trực tuyến", "choice", FULL),
        ("Điểm truy cập Internet không dây phục vụ người dân", "capped", 5),
        ("Thiết bị lưu trữ, sao lưu dữ liệu", "direct", None),
        ("Tỷ lệ máy tính cài phần mềm phòng chống mã độc có bản quyền", "ratio", (10, 150)),
        ("Tỷ lệ thiết bị mạng, máy chủ được bảo trì định kỳ", "ratio", (2, 20)),
        ("Trang thiết bị của bộ phận tiếp nhận và trả kết quả", "direct", None),
    ),
    "1.2": (
        ("Số cán bộ chuyên trách CNTT", "steps", (1, 2, 3)),
        ("Tỷ lệ cán bộ chuyên trách có trình độ đại học CNTT trở lên", "ratio", (1, 6)),
        ("Tỷ lệ cán bộ, công chức được bồi dưỡng kỹ năng số", "ratio", (10, 150)),
        ("Tỷ lệ cán bộ, công chức đạt chuẩn kỹ năng sử dụng CNTT cơ bản", "ratio", (10, 150)),
        ("Lãnh đạo {unit} tham gia bồi dưỡng về chuyển đổi số", "choice", LEAD),
        ("Số lượt cán bộ được đào tạo về an toàn thông tin", "steps", FOUR),
        ("Tổ công nghệ số cộng đồng, đội ngũ hỗ trợ người dân", "direct", None),
        ("Chế độ hỗ trợ cán bộ chuyên trách CNTT", "direct", None),
        ("Tỷ lệ cán bộ sử dụng thành thạo phần mềm dùng chung", "ratio", (10, 150)),
        ("Năng lực ứng dụng CNTT của đội ngũ", "direct", None),
    ),
    "1.3": (
        ("Ban chỉ đạo chuyển đổi số của {unit}", "choice", LEAD),
        ("Số cuộc họp Ban chỉ đạo trong năm", "steps", FOUR),
        ("Kế hoạch ứng dụng CNTT, chuyển đổi số hằng năm", "direct", None),
        ("Tỷ lệ nhiệm vụ của kế hoạch được hoàn thành đúng hạn", "ratio", (5, 40)),
        ("Quy chế sử dụng phần mềm quản lý văn bản và điều hành", "direct", None),
        ("Quy chế quản lý, sử dụng thư điện tử công vụ", "direct", None),
        ("Tỷ lệ kinh phí chi cho CNTT so với kế hoạch", "ratio", (100, 2000)),
        ("Văn bản chỉ đạo về chuyển đổi số ban hành trong năm", "capped", 4),
        ("Số báo cáo định kỳ về ứng dụng CNTT gửi đúng hạn", "steps", FOUR),
        ("Tuyên truyền, nâng cao nhận thức về chuyển đổi số", "direct", None),
    ),
    "1.4": (
        ("Hồ sơ đề xuất cấp độ an toàn hệ thống thông tin", "choice", APPROVAL),
        ("Phương án ứng cứu sự cố an toàn thông tin mạng", "direct", None),
        ("Tỷ lệ máy tính được giám sát an toàn thông tin tập trung", "ratio", (10, 150)),
        ("Số đợt kiểm tra, diễn tập an toàn thông tin", "steps", (1, 2, 3)),
        ("Tỷ lệ lỗ hổng bảo mật được khắc phục", "ratio", (1, 30)),
        ("Sao lưu dữ liệu định kỳ", "choice", (("weekly", "1"), ("monthly", "0.5"), ("none", "0"))),
        ("Tỷ lệ cán bộ có chữ ký số cá nhân", "ratio", (10, 150)),
        ("Cán bộ phụ trách an toàn thông tin được phân công", "direct", None),
        ("Tỷ lệ sự cố an toàn thông tin được xử lý đúng hạn", "ratio", (1, 20)),
        ("Giải pháp phòng chống mã độc tập trung", "direct", None),
    ),
    "2.1": (
        ("Cổng/Trang thông tin điện tử đáp ứng quy định", "direct", None),
        ("Tỷ lệ thủ tục hành chính được công khai trên cổng", "ratio", (20, 400)),
        ("Số tin, bài đăng trên cổng trong năm (so với đơn vị cao nhất)", "relative", 400),
        ("Công khai kế hoạch, dự toán và kết quả thực hiện", "direct", None),
        ("Tỷ lệ văn bản chỉ đạo, điều hành được đăng tải đúng hạn", "ratio", (10, 200)),
        ("Chuyên mục hỏi đáp, tiếp nhận phản ánh, kiến nghị", "choice", FULL),
        ("Tỷ lệ phản ánh, kiến nghị được trả lời đúng hạn", "ratio", (5, 300)),
        ("Công khai tiến độ, kết quả giải quyết hồ sơ", "direct", None),
        ("Chuyên mục được cập nhật thường xuyên", "capped", 5),
        ("Số bộ dữ liệu mở được công bố", "steps", (1, 2, 3)),
    ),
    "2.2": (
        ("Tỷ lệ văn bản được xử lý trên phần mềm quản lý văn bản", "ratio", (200, 5000)),
        ("Tỷ lệ văn bản đi được ký số", "ratio", (100, 3000)),
        ("Tỷ lệ văn bản gửi, nhận hoàn toàn dưới dạng điện tử", "ratio", (100, 3000)),
        ("Tỷ lệ cán bộ, công chức sử dụng thư điện tử công vụ", "ratio", (10, 150)),
        ("Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng", "ratio", (50, 1500)),
        ("Ứng dụng chuyên ngành đang sử dụng", "capped", 5),
        ("Số cuộc họp trực tuyến trong năm (so với đơn vị cao nhất)", "relative", 60),
        ("Hệ thống thông tin báo cáo của {unit}", "direct", None),
        ("Tỷ lệ {sub} ký số văn bản đi", "ratio", (3, 30)),
        ("Phòng họp không giấy", "choice", FULL),
    ),
    "2.3": (
        ("Tỷ lệ thủ tục hành chính cung cấp trực tuyến toàn trình", "ratio", (20, 400)),
        ("Tỷ lệ hồ sơ tiếp nhận, giải quyết trực tuyến", "ratio", (100, 8000)),
        ("Số dịch vụ công trực tuyến toàn trình (so với đơn vị cao nhất)", "relative", 300),
        ("Tỷ lệ kết quả giải quyết thủ tục hành chính được số hóa", "ratio", (100, 8000)),
        ("Tỷ lệ hồ sơ được giải quyết đúng hạn", "ratio", (100, 8000)),
        ("Tỷ lệ giao dịch thanh toán phí, lệ phí trực tuyến", "ratio", (20, 3000)),
        ("Mức độ hài lòng của người dân, doanh nghiệp (%)", "steps", (60, 70, 80, 90)),
        ("Kết nối, đồng bộ với Cổng Dịch vụ công quốc gia", "direct", None),
        ("Số hồ sơ trực tuyến phát sinh (so với đơn vị cao nhất)", "relative", 5000),
        ("Tỷ lệ kết quả trả qua bưu chính công ích, điện tử", "ratio", (50, 4000)),
    ),
    "2.4": (
        ("Cơ sở dữ liệu chuyên ngành được xây dựng, cập nhật", "capped", 4),
        ("Tỷ lệ dữ liệu được chia sẻ qua nền tảng tích hợp (LGSP)", "ratio", (5, 60)),
        ("Khai thác Cơ sở dữ liệu quốc gia về dân cư", "choice", FULL),
        ("Số nền tảng số được triển khai (so với đơn vị cao nhất)", "relative", 20),
        ("Tái cấu trúc quy trình nghiệp vụ trên môi trường số", "direct", None),
        ("Tỷ lệ cán bộ có tài khoản định danh điện tử mức 2", "ratio", (10, 150)),
        ("Sáng kiến, mô hình chuyển đổi số được công nhận", "steps", (1, 2, 3)),
        ("Ứng dụng dữ liệu lớn, trí tuệ nhân tạo", "direct", None),
        ("Tỷ lệ người dân trưởng thành có tài khoản dịch vụ công", "ratio", (500, 50000)),
        ("Số lượt truy cập các nền tảng số (so với đơn vị cao nhất)", "relative", 100000),
    ),
}
BLOCK_WORDS = {
    "departments": {"unit": "cơ quan", "sub": "đơn vị trực thuộc"},
    "districts": {"unit": "UBND huyện", "sub": "UBND cấp xã"},
    "communes": {"unit": "UBND xã", "sub": "thôn, tổ dân phố"},
}
# Weights before scaling to the block's maximum: application weighs 60 %, readiness 40 %.
RULE_WEIGHT = {
    "direct": 1.5,
    "ratio": 1.0,
    "steps": 1.0,
    "choice": 0.75,
    "capped": 1.0,
    "relative": 1.25,
}
GROUP_WEIGHT = {"1": 1.0, "2": 1.5}
QUARTER = 250  # maxima and direct points are whole quarters of a point (milli)
BANDS = (
    ("Tốt", "Good", "85"),
    ("Khá", "Fair", "70"),
    ("Trung bình", "Average", "50"),
    ("Yếu", "Weak", "0"),
)

# ---------------------------------------------------------------------------------------
# The national ranking of provinces: a DTI-like set (chỉ số chuyển đổi số cấp tỉnh) on three
# pillars, 1,000 points. The pillars and indicator themes follow the Ministry's DTI
# (awareness, institutions, infrastructure, workforce, cyber security, activities; digital
# economy; digital society); names, maxima and rules are synthetic. No bands: the DTI
# publishes ranks and scores only.

NATIONAL_BLOCK = "provinces"
NATIONAL_SET = f"{PREFIX}dti"
NATIONAL_BLOCK_FIELDS = {
    "name": "Khối tỉnh, thành phố",
    "name_en": "Provinces and centrally run cities",
    "order": 0,
}
NATIONAL_SCOPE_FIELDS = {"code": "VN", "name": "Toàn quốc"}
DTI_GROUPS = (
    ("1", None, "Chính quyền số", "Digital government"),
    ("2", None, "Kinh tế số", "Digital economy"),
    ("3", None, "Xã hội số", "Digital society"),
)
# group: ((name, rule, extra as in CATALOGUE, maximum points), ...)
DTI_CATALOGUE = {
    "1": (
        ("Ban chỉ đạo chuyển đổi số do Chủ tịch UBND tỉnh làm Trưởng ban", "choice", LEAD, 30),
        ("Văn bản, kế hoạch về chuyển đổi số ban hành trong năm", "capped", 5, 40),
        ("Tỷ lệ cơ quan, đơn vị kết nối mạng truyền số liệu chuyên dùng", "ratio", (200, 1500), 50),
        (
            "Tỷ lệ hồ sơ thủ tục hành chính xử lý trực tuyến toàn trình",
            "ratio",
            (20_000, 800_000),
            100,
        ),
        ("Tỷ lệ văn bản đi được ký số", "ratio", (20_000, 400_000), 60),
        ("Tỷ lệ hệ thống thông tin được phê duyệt cấp độ an toàn", "ratio", (20, 200), 50),
        (
            "Giao dịch qua nền tảng tích hợp, chia sẻ dữ liệu (so với tỉnh cao nhất)",
            "relative",
            2_000_000,
            70,
        ),
    ),
    "2": (
        ("Tỷ trọng kinh tế số trong GRDP (%)", "steps", (5, 10, 15, 20), 80),
        ("Tỷ lệ doanh nghiệp sử dụng hóa đơn điện tử", "ratio", (2_000, 60_000), 50),
        ("Doanh nghiệp công nghệ số (so với tỉnh cao nhất)", "relative", 3_000, 60),
        ("Tỷ lệ doanh nghiệp nhỏ và vừa sử dụng nền tảng số", "ratio", (2_000, 60_000), 50),
        ("Tỷ lệ giao dịch thanh toán không dùng tiền mặt", "ratio", (10_000, 900_000), 60),
    ),
    "3": (
        (
            "Tỷ lệ dân số trưởng thành có điện thoại thông minh",
            "ratio",
            (300_000, 6_000_000),
            60,
        ),
        (
            "Tỷ lệ hộ gia đình có Internet băng rộng cáp quang",
            "ratio",
            (100_000, 2_500_000),
            60,
        ),
        (
            "Tỷ lệ dân số trưởng thành có định danh điện tử mức 2",
            "ratio",
            (300_000, 6_000_000),
            60,
        ),
        (
            "Tỷ lệ dân số trưởng thành có tài khoản thanh toán điện tử",
            "ratio",
            (300_000, 6_000_000),
            50,
        ),
        ("Tổ công nghệ số cộng đồng hoạt động ở các xã, phường", "choice", FULL, 30),
        ("Đánh giá của người dân về chuyển đổi số của tỉnh", "direct", None, 40),
    ),
}


def dti_catalogue() -> list[CriterionSpec]:
    """The 18 criteria of the national (DTI-like) set, maxima summing to 1,000 points."""
    return [
        CriterionSpec(f"{group}.{number}", group, name, rule, points * 1000, extra)
        for group, rows in DTI_CATALOGUE.items()
        for number, (name, rule, extra, points) in enumerate(rows, start=1)
    ]


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    group: str
    name: str
    rule: str
    max_milli: int
    extra: Any  # by rule: ratio/steps a tuple of numbers, choice (key, points) pairs, capped units

    @property
    def params(self) -> dict:
        if self.rule == "steps":
            thresholds = self.extra
            count = len(thresholds)
            return {
                "steps": [
                    [str(t), _milli_text_one(self.max_milli * (i + 1) // count // 10 * 10)]
                    for i, t in enumerate(thresholds)
                ]
            }
        if self.rule == "choice":
            return {"choices": dict(self.extra)}
        if self.rule == "capped":
            return {"per_unit": _milli_text_one(self.max_milli // self.extra)}
        return {}


def catalogue(block: str) -> list[CriterionSpec]:
    """The ~80 criteria of a block's national set, maxima summing to the block maximum.

    The national block ("provinces") has the 18 DTI-like criteria of `DTI_CATALOGUE`.
    """
    if block == NATIONAL_BLOCK:
        return dti_catalogue()
    words = BLOCK_WORDS[block]
    items = []
    for group, rows in CATALOGUE.items():
        for number, (name, rule, extra) in enumerate(rows, start=1):
            weight = RULE_WEIGHT[rule] * GROUP_WEIGHT[group.split(".")[0]]
            items.append((f"{group}.{number}", group, name.format(**words), rule, extra, weight))
    target = BLOCK_MAXIMUM[block] * 1000
    total_weight = sum(item[5] for item in items)
    maxima = [max(QUARTER, round(w / total_weight * target / QUARTER) * QUARTER) for *_, w in items]
    # Put the rounding remainder on the heaviest direct criteria, a quarter at a time.
    heavy = [i for i, item in enumerate(items) if item[3] == "direct"]
    remainder = target - sum(maxima)
    for i in itertools.cycle(heavy):
        if remainder == 0:
            break
        step = QUARTER if remainder > 0 else -QUARTER
        maxima[i] += step
        remainder -= step
    specs = []
    for (code, group, name, rule, extra, _), maximum in zip(items, maxima, strict=True):
        if rule == "capped":
            maximum -= maximum % (extra * 10)  # per-unit points exact to the milli
        specs.append(CriterionSpec(code, group, name, rule, maximum, extra))
    shortfall = target - sum(s.max_milli for s in specs)
    if shortfall:
        first = next(i for i, s in enumerate(specs) if s.rule == "direct")
        s = specs[first]
        specs[first] = CriterionSpec(s.code, s.group, s.name, s.rule, s.max_milli + shortfall, None)
    return specs


def _milli_text_one(milli: int) -> str:
    return f"{milli // 1000}.{milli % 1000:03d}"


def milli_text(milli: np.ndarray) -> np.ndarray:
    """Decimal strings of non-negative milli ints, as str(scoring.milli_to_decimal(m))."""
    milli = np.asarray(milli, dtype=np.int64)
    whole = (milli // 1000).astype(str)
    return np.char.add(np.char.add(whole, "."), np.char.zfill((milli % 1000).astype(str), 3))
