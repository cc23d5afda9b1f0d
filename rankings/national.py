"""A national, clearly synthetic data set: every province, every year, at full scale.

All 63 legacy provinces with their departments, districts and communes ranked every year
2019–2024, then the 34 current provinces in 2025 (departments and communes only: the
district level ended on 1 July 2025). One national criteria set per block, about 80
criteria mixing every rule kind; inputs drawn from `--seed` so the same seed always gives
the same numbers. Every row is marked synthetic (criteria sets, scores, publications) and
the criteria sets say "(mô phỏng)" in their names.

Points and results come from the real engine, not from this module: one
`scoring.compute` per year and criteria set over every cycle at once (the engine's
`block` column is the cycle id, so "relative" criteria and ranks stay per cycle). The
rows are written field for field as `rankings.services` writes them (`_result_rows`), but
in bulk: PostgreSQL `COPY` when the database is PostgreSQL; otherwise results through
`bulk_create` and scores through one multi-row `executemany` per chunk. A year is one
transaction, so an interrupted run leaves whole years.

The same run ranks the provinces themselves, as the Ministry's Digital Transformation Index
(DTI) does: a national scope (`Province.is_national`, `/toan-quoc/`) whose agencies are the
provinces' People's Committees (each `represents` its province), one cycle a year in the
block "provinces" under a DTI-like set of three pillars (digital government, economy,
society; 18 criteria, 1,000 points), scored by the same engine and published likewise. The
2025 agencies (34 provinces) succeed the 2019–2024 ones (63) as the provinces did.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import itertools
import json
import resource
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

import scoring
from agencies.models import (
    NATIONAL_SLUG,
    AdministrativeUnit,
    Agency,
    AgencyKind,
    Block,
    Province,
    Succession,
    UnitEra,
    UnitLevel,
    UnitSuccession,
    fold,
)
from agencies.units import (
    LEGACY_END,
    REFORM_DATE,
    agency_name,
    blocks_ensure,
    legacy_province_codes,
    pad,
    province_find,
    unit_agencies_create,
    units_import,
    units_present,
)
from rankings import selectors
from rankings.models import (
    AssessmentCycle,
    Band,
    CriteriaSet,
    Criterion,
    CriterionGroup,
    CycleState,
    Evidence,
    Publication,
    Result,
    Score,
    Stage,
)

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
CATALOGUE = {
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
    extra: object

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


# ---------------------------------------------------------------------------------------
# Agencies.


@dataclass
class Scope:
    legacy: list[Province]
    current: list[Province]


def scope_ensure(*, provinces: Sequence[str], log: Callable[[str], None]) -> Scope:
    """Units, provinces and agencies of the legacy `provinces` and their current successors."""
    if not units_present(provinces=provinces):
        log("Importing administrative units …")
        if set(provinces) == set(legacy_province_codes()):
            units_import(era="all")
        else:
            for code in provinces:
                units_import(era="all", province=code)
    blocks = blocks_ensure()
    legacy_rows, current_rows = [], {}
    created = defaultdict(int)
    for code in provinces:
        summary, current = unit_agencies_create(province=code, import_units=False)
        for kind, count in summary.created.items():
            created[kind] += count
        legacy_rows.append(province_find(code, current=False))
        for row in current:
            current_rows[row.pk] = row
    current_list = sorted(current_rows.values(), key=lambda p: p.code)
    with transaction.atomic():
        created["department"] += _departments_ensure(legacy_rows, current_list, blocks)
    log(
        "Agencies created: "
        + (", ".join(f"{n} {kind}" for kind, n in sorted(created.items()) if n) or "none")
        + f" ({len(legacy_rows)} legacy, {len(current_list)} current provinces)."
    )
    return Scope(legacy=legacy_rows, current=current_list)


def _departments_ensure(legacy_rows, current_rows, blocks) -> int:
    block = blocks["departments"]
    wanted = []
    for province in legacy_rows:
        wanted += [(province, s, short, name, LEGACY_END) for s, short, name in LEGACY_DEPARTMENTS]
    for province in current_rows:
        wanted += [(province, s, short, name, None) for s, short, name, _ in CURRENT_DEPARTMENTS]
    agencies = Agency.objects.filter(province__in=[*legacy_rows, *current_rows])
    existing = set(agencies.filter(kind=AgencyKind.DEPARTMENT).values_list("province_id", "slug"))
    taken = set(agencies.values_list("province_id", "slug"))
    new = []
    for province, slug, short, name, valid_to in wanted:
        if (province.pk, slug) in existing:
            continue
        if (province.pk, slug) in taken:  # a commune of the same name holds the slug
            slug = f"{slug}-sbn"
        new.append(
            Agency(
                province=province,
                block=block,
                kind=AgencyKind.DEPARTMENT,
                name=name,
                short_name=short,
                slug=slug,
                search_name=fold(f"{name} {short}"),
                valid_from=REFORM_DATE if valid_to is None else datetime.date(1900, 1, 1),
                valid_to=valid_to,
            )
        )
    Agency.objects.bulk_create(new, batch_size=2000)
    _department_successions(current_rows)
    return len(new)


def _department_successions(current_rows) -> None:
    """Legacy departments → the 2025 departments that took them over (merged provinces)."""
    ids = {
        (province, slug): pk
        for province, slug, pk in Agency.objects.filter(kind=AgencyKind.DEPARTMENT).values_list(
            "province_id", "slug", "id"
        )
    }
    existing = set(Succession.objects.values_list("predecessor_id", "successor_id"))
    new = []
    for current in current_rows:
        sources = list(current.predecessors.all())
        for slug, _, _, takes in CURRENT_DEPARTMENTS:
            successor = ids.get((current.pk, slug))
            for source in sources:
                for old_slug, whole in takes:
                    predecessor = ids.get((source.pk, old_slug))
                    if predecessor and successor and (predecessor, successor) not in existing:
                        existing.add((predecessor, successor))
                        new.append(
                            Succession(
                                predecessor_id=predecessor,
                                successor_id=successor,
                                effective=REFORM_DATE,
                                whole=whole,
                                note="Sắp xếp cơ quan chuyên môn 2025 (mô phỏng)",
                            )
                        )
    Succession.objects.bulk_create(new, batch_size=2000)


# ---------------------------------------------------------------------------------------
# The national scope and the provinces' People's Committees in it.


@dataclass(frozen=True)
class National:
    """What the national ranking is seeded into: the scope, its block, set and agencies."""

    scope: Province
    block: Block
    table: Table
    agencies: dict[int, int]  # represented province id → national agency id


def national_scope_ensure() -> tuple[Province, Block]:
    """The national scope (toàn quốc, `/toan-quoc/`) and its block of provinces."""
    scope = Province.objects.filter(is_national=True).first()
    if scope is None:
        scope = Province.objects.create(
            slug=NATIONAL_SLUG, is_national=True, **NATIONAL_SCOPE_FIELDS
        )
    block, _ = Block.objects.get_or_create(slug=NATIONAL_BLOCK, defaults=NATIONAL_BLOCK_FIELDS)
    return scope, block


def province_agencies_ensure(
    *, scope: Province, block: Block, provinces: Sequence[Province]
) -> dict[int, int]:
    """Each province's People's Committee in the national scope, created when missing.

    Returns {province id: agency id}. An agency lives as long as its province, takes its
    slug (`/toan-quoc/don-vi/vinh-phuc/`) and `represents` it; a 2025 province's agency
    succeeds the agencies of the provinces it was formed from (see `_province_successions`).
    """
    ranked = Agency.objects.filter(province=scope, represents__isnull=False)
    existing = set(ranked.values_list("represents_id", flat=True))
    unit_names = _province_unit_names([p for p in provinces if p.pk not in existing])
    new = []
    for province in provinces:
        if province.pk in existing:
            continue
        name = agency_name(unit_names.get(province.pk, f"Tỉnh {province.name}"))
        new.append(
            Agency(
                province=scope,
                block=block,
                kind=AgencyKind.PROVINCE,
                name=name,
                short_name=province.name,
                slug=province.slug,
                search_name=fold(f"{name} {province.name}"),
                admin_unit_code=province.code,
                represents=province,
                valid_from=province.valid_from,
                valid_to=province.valid_to,
            )
        )
    Agency.objects.bulk_create(new, batch_size=2000)
    ids = dict(ranked.values_list("represents_id", "id"))
    if new:
        _province_successions(ids)
    return {province.pk: ids[province.pk] for province in provinces}


def _province_unit_names(provinces: Sequence[Province]) -> dict[int, str]:
    """The official names ("Tỉnh Vĩnh Phúc", "Thành phố Hà Nội") of provinces, by row id."""
    wanted = {}
    for province in provinces:
        if province.code.isdigit():
            era = UnitEra.CURRENT if province.valid_from >= REFORM_DATE else UnitEra.LEGACY
            wanted[(era, pad(int(province.code), UnitLevel.PROVINCE))] = province.pk
    if not wanted:
        return {}
    units = AdministrativeUnit.objects.filter(
        level=UnitLevel.PROVINCE, code__in={code for _, code in wanted}
    ).values_list("era", "code", "name")
    return {wanted[(era, code)]: name for era, code, name in units if (era, code) in wanted}


def _province_successions(agencies: dict[int, int]) -> None:
    """Old → new province agency links, as the provinces' own `successors` link them.

    Whole when the old province went entirely to one new province (all but the few split
    between two).
    """
    through = Province.successors.through
    links = list(
        through.objects.filter(from_province__in=agencies).values_list(
            "from_province_id", "to_province_id"
        )
    )
    targets: dict[int, int] = defaultdict(int)
    for old, _ in links:
        targets[old] += 1
    existing = set(
        Succession.objects.filter(successor__in=agencies.values()).values_list(
            "predecessor_id", "successor_id"
        )
    )
    new = []
    for old, current in links:
        pair = (agencies.get(old), agencies.get(current))
        if None in pair or pair in existing:
            continue
        new.append(
            Succession(
                predecessor_id=pair[0],
                successor_id=pair[1],
                effective=REFORM_DATE,
                whole=targets[old] == 1,
                note="Sắp xếp đơn vị hành chính cấp tỉnh 2025",
            )
        )
    Succession.objects.bulk_create(new, batch_size=2000)


# ---------------------------------------------------------------------------------------
# Criteria sets.


def criteria_sets_ensure() -> dict[str, CriteriaSet]:
    """One national, synthetic criteria set per block, created once and then reused."""
    blocks = blocks_ensure()
    sets = {}
    for slug, block in blocks.items():
        specs = catalogue(slug)
        found = CriteriaSet.objects.filter(slug=f"{PREFIX}{slug}").first()
        if found is not None:
            codes = list(found.criteria.order_by("order").values_list("code", flat=True))
            if codes != [s.code for s in specs]:
                raise RuntimeError(f"{found.slug} differs from the catalogue; reset it first")
            sets[slug] = found
            continue
        with transaction.atomic():
            sets[slug] = _criteria_set_create(block, specs)
    return sets


def national_criteria_set_ensure(*, scope: Province, block: Block) -> CriteriaSet:
    """The national DTI-like set, created once and then reused.

    It allows the derived value of a 2025 province (the mean of its former provinces'
    percents of maximum), as the Ministry ranked the merged provinces for DTI 2024.
    """
    specs = dti_catalogue()
    found = CriteriaSet.objects.filter(slug=NATIONAL_SET).first()
    if found is not None:
        codes = list(found.criteria.order_by("order").values_list("code", flat=True))
        if codes != [s.code for s in specs]:
            raise RuntimeError(f"{found.slug} differs from the catalogue; reset it first")
        return found
    with transaction.atomic():
        return _criteria_set_create(
            block,
            specs,
            groups_spec=DTI_GROUPS,
            bands=(),
            province=scope,
            name="Bộ chỉ số đánh giá chuyển đổi số cấp tỉnh (DTI) (mô phỏng)",
            slug=NATIONAL_SET,
            issuer="Bộ Thông tin và Truyền thông (mô phỏng)",
            not_ranked_below=None,
            allows_derived_predecessor=True,
        )


def _criteria_set_create(
    block: Block, specs: list[CriterionSpec], *, groups_spec=GROUPS, bands=BANDS, **fields
) -> CriteriaSet:
    values = {
        "province": None,
        "name": f"Bộ tiêu chí {block.name.lower()} toàn quốc (mô phỏng)",
        "slug": f"{PREFIX}{block.slug}",
        "decision_number": "",
        "issuer": "Dữ liệu mô phỏng",
        "precision": 2,
        "percent_precision": 1,
        "not_ranked_below": Decimal("30") if block.slug == "communes" else None,
        **fields,
    }
    criteria_set = CriteriaSet.objects.create(
        block=block,
        max_points=Decimal(sum(s.max_milli for s in specs)) / 1000,
        is_synthetic=True,
        **values,
    )
    groups: dict[str, CriterionGroup] = {}
    for order, (code, parent, name, name_en) in enumerate(groups_spec):
        groups[code] = CriterionGroup.objects.create(
            criteria_set=criteria_set,
            parent=groups.get(parent) if parent else None,
            code=code,
            name=name,
            name_en=name_en,
            order=order,
        )
    Criterion.objects.bulk_create(
        Criterion(
            criteria_set=criteria_set,
            group=groups[spec.group],
            code=spec.code,
            name=spec.name,
            max_points=Decimal(spec.max_milli) / 1000,
            rule=spec.rule,
            params=spec.params,
            evidence_required=spec.rule != "relative",
            order=order,
        )
        for order, spec in enumerate(specs)
    )
    Band.objects.bulk_create(
        Band(criteria_set=criteria_set, label=label, label_en=label_en, minimum=Decimal(low))
        for label, label_en, low in bands
    )
    return criteria_set


# ---------------------------------------------------------------------------------------
# Drawing inputs.


@dataclass(frozen=True)
class Table:
    """A criteria set as arrays in criterion order, for drawing inputs and writing scores."""

    criteria_set: CriteriaSet
    frame: pd.DataFrame
    rules: scoring.RankingRules
    specs: list[CriterionSpec]
    ids: np.ndarray
    maxima: np.ndarray
    difficulty: np.ndarray

    @classmethod
    def load(cls, criteria_set: CriteriaSet, block: str, seed: int) -> Table:
        specs = catalogue(block)
        ids = dict(criteria_set.criteria.values_list("code", "id"))
        rng = np.random.default_rng([seed, 7, list(BLOCK_MAXIMUM).index(block)])
        return cls(
            criteria_set=criteria_set,
            frame=selectors.criteria_frame(criteria_set=criteria_set),
            rules=selectors.ranking_rules(criteria_set=criteria_set),
            specs=specs,
            ids=np.array([ids[s.code] for s in specs], dtype=np.int64),
            maxima=np.array([s.max_milli for s in specs], dtype=np.int64),
            difficulty=rng.normal(0.0, 0.12, len(specs)),
        )


@dataclass
class Drawn:
    """Raw inputs as agencies × criteria arrays: values and denominators in milli."""

    value: np.ndarray
    value_na: np.ndarray
    denominator: np.ndarray
    denominator_na: np.ndarray
    choice: np.ndarray


def draw_inputs(table: Table, n: int, *, seed: int, key: int, block: int, year: int) -> Drawn:
    """Raw inputs of `n` agencies (in a fixed order) for one province, block and year.

    An agency's standing persists from year to year (drawn from the seed, province and
    block only), the whole province improves a little each year, and each year adds noise;
    the same seed, province, block and year always draw the same numbers.
    """
    standing_rng = np.random.default_rng([seed, key, block])
    province_effect = standing_rng.normal(0.0, 0.06)
    standing = standing_rng.beta(4.0, 2.6, n) + province_effect
    sizes = standing_rng.uniform(0.0, 1.0, (n, len(table.specs)))  # how big each unit is
    rng = np.random.default_rng([seed, key, block, year])
    trend = 0.035 * (year - 2019) + rng.normal(0.0, 0.02)
    level = standing[:, None] + trend + table.difficulty[None, :]
    level = np.clip(level + rng.normal(0.0, 0.13, (n, len(table.specs))), 0.0, 1.0)

    shape = level.shape
    value = np.zeros(shape, dtype=np.int64)
    value_na = np.zeros(shape, dtype=bool)
    denominator = np.zeros(shape, dtype=np.int64)
    denominator_na = np.ones(shape, dtype=bool)
    choice = np.full(shape, None, dtype=object)
    for j, spec in enumerate(table.specs):
        x = level[:, j]
        if spec.rule == "direct":
            value[:, j] = np.round(x * spec.max_milli / QUARTER).astype(np.int64) * QUARTER
        elif spec.rule == "ratio":
            low, high = spec.extra
            units = np.round(low + sizes[:, j] * (high - low)).astype(np.int64)
            value[:, j] = np.round(x * units).astype(np.int64) * 1000
            denominator[:, j] = units * 1000
            denominator_na[:, j] = False
        elif spec.rule == "steps":
            top = spec.extra[-1]
            units = np.floor(x * top * 1.15).astype(np.int64)
            if top >= 50:  # a percentage (satisfaction): never above 100
                units = np.minimum(units, 100)
            value[:, j] = units * 1000
        elif spec.rule == "choice":
            keys = [k for k, _ in sorted(spec.extra, key=lambda kv: Decimal(kv[1]))]
            picks = np.digitize(x, [0.3, 0.62])
            choice[:, j] = np.array(keys, dtype=object)[picks]
            value_na[:, j] = True
        elif spec.rule == "capped":
            value[:, j] = np.round(x * spec.extra * 1.2).astype(np.int64) * 1000
        elif spec.rule == "relative":
            scale = spec.extra * (0.3 + sizes[:, j])
            value[:, j] = (np.round(x * scale).astype(np.int64) + 1) * 1000
    return Drawn(value, value_na, denominator, denominator_na, choice)


# ---------------------------------------------------------------------------------------
# Seeding.


@dataclass
class Summary:
    cycles: int = 0
    skipped: list[str] = field(default_factory=list)
    scores: int = 0
    results: int = 0
    publications: int = 0
    seconds: float = 0.0
    peak_mb: float = 0.0
    years: dict[int, float] = field(default_factory=dict)
    national: dict[int, NationalYear] = field(default_factory=dict)


@dataclass(frozen=True)
class NationalYear:
    """One year of the national ranking as seeded: provinces ranked, rows, seconds."""

    provinces: int
    scores: int
    results: int
    seconds: float


@dataclass(frozen=True, eq=False)
class Unit:
    """One cycle to seed: its province, block, agencies in draw order."""

    province: Province
    block: str
    key: int
    agencies: list[int]


def seed_national(
    *,
    seed: int = 42,
    years: Iterable[int] = DEFAULT_YEARS,
    provinces: Iterable[int | str] | None = None,
    fast_keys: bool = True,
    log: Callable[[str], None] = lambda message: None,
) -> Summary:
    """Seed the national synthetic rankings; cycles that already exist are left alone.

    `fast_keys` (PostgreSQL only) checks the scores' and results' foreign keys once per
    year instead of once per row; see `_foreign_keys_checked_once`.
    """
    started = time.perf_counter()
    codes = (
        [pad(int(c), UnitLevel.PROVINCE) for c in provinces]
        if provinces is not None
        else legacy_province_codes()
    )
    unknown = set(codes) - set(legacy_province_codes())
    if unknown:
        raise ValueError(f"not legacy province codes: {', '.join(sorted(unknown))}")
    scope = scope_ensure(provinces=codes, log=log)
    sets = criteria_sets_ensure()
    tables = {block: Table.load(sets[block], block, seed) for block in sets}
    blocks = {b.slug: b for b in Block.objects.filter(slug__in=sets)}
    national = _national_ensure(scope, seed)
    summary = Summary()
    for year in sorted(set(years)):
        year_started = time.perf_counter()
        legacy = year < REFORM_DATE.year
        provinces_of_year = scope.legacy if legacy else scope.current
        names = LEGACY_BLOCKS if legacy else CURRENT_BLOCKS
        units = _units(provinces_of_year, [blocks[n] for n in names], year, legacy, summary)
        ranked = _national_units(national, provinces_of_year, year, legacy, summary)
        if not units and not ranked:
            log(f"{year}: nothing to seed.")
            continue
        written = {"cycles": 0, "scores": 0, "results": 0, "publications": 0}
        # The national cycle alone (a few thousand rows) is not worth re-validating keys.
        with transaction.atomic(), _foreign_keys_checked_once(fast_keys and bool(units)):
            if units:
                written = _seed_year(year, units, tables, blocks, seed)
            if ranked:
                national_started = time.perf_counter()
                done = _seed_national_year(year, ranked, national, seed)
                seconds = time.perf_counter() - national_started
                for key, count in done.items():
                    written[key] += count
        if ranked:
            summary.national[year] = NationalYear(
                len(ranked), done["scores"], done["results"], seconds
            )
        summary.cycles += written["cycles"]
        summary.scores += written["scores"]
        summary.results += written["results"]
        summary.publications += written["publications"]
        summary.years[year] = time.perf_counter() - year_started
        log(
            f"{year}: {written['cycles']} cycles, {written['scores']} scores, "
            f"{written['results']} results in {summary.years[year]:.1f}s "
            f"(peak memory {peak_mb():.0f} MB)"
            + (f"; national ranking of {len(ranked)} provinces." if ranked else ".")
        )
    if connection.vendor == "postgresql" and summary.scores:
        with connection.cursor() as cursor:
            for model in (Score, Result, AssessmentCycle, Publication, Agency):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    summary.seconds = time.perf_counter() - started
    summary.peak_mb = peak_mb()
    return summary


@contextmanager
def _foreign_keys_checked_once(enabled: bool):
    """On PostgreSQL, drop the score and result foreign keys for a load, then re-create them.

    PostgreSQL checks a deferred foreign key row by row at commit: three lookups per score,
    about 45 s of a 60 s year. Re-creating the constraint validates every row in one join
    (about 3 s), which is the bulk-loading advice of PostgreSQL's manual. Both steps run
    inside the year's transaction, so no other session ever sees the keys missing (it waits
    on the tables' lock instead) and a failure rolls back with the keys in place.
    """
    if not enabled or connection.vendor != "postgresql":
        yield
        return
    quote = connection.ops.quote_name
    dropped = []
    with connection.cursor() as cursor:
        # A table with pending (deferred) trigger events cannot be altered: fire them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for model in (Score, Result):
            table = model._meta.db_table
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                [table],
            )
            keys = cursor.fetchall()
            if keys:
                drops = ", ".join(f"DROP CONSTRAINT {quote(name)}" for name, _ in keys)
                cursor.execute(f"ALTER TABLE {quote(table)} {drops}")
                dropped.append((table, keys))
    yield
    with connection.cursor() as cursor:
        # Likewise for the checks queued by this year's cycles and publications.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, keys in dropped:
            adds = ", ".join(f"ADD CONSTRAINT {quote(name)} {text}" for name, text in keys)
            cursor.execute(f"ALTER TABLE {quote(table)} {adds}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def peak_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _units(provinces, blocks, year, legacy, summary) -> list[Unit]:
    """The cycles of a year still to seed, each with its agencies in a stable order."""
    existing = {
        (p, b): slug
        for p, b, slug in AssessmentCycle.objects.filter(
            province__in=provinces, year=year
        ).values_list("province_id", "block_id", "criteria_set__slug")
    }
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    active = Agency.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=start),
        province__in=provinces,
        block__in=blocks,
        valid_from__lte=end,
    ).values_list("province_id", "block_id", "admin_unit_code", "slug", "id")
    members: dict[tuple[int, int], list[tuple[str, str, int]]] = defaultdict(list)
    for province, block, code, slug, pk in active:
        members[(province, block)].append((code, slug, pk))
    units = []
    for province in sorted(provinces, key=lambda p: p.code):
        for block in blocks:
            found = existing.get((province.pk, block.pk))
            if found is not None:
                if not found.startswith(PREFIX):
                    summary.skipped.append(f"{province.slug} {block.slug} {year}")
                continue
            agencies = [pk for _, _, pk in sorted(members.get((province.pk, block.pk), []))]
            if agencies:
                key = int(province.code) + (0 if legacy else 100)
                units.append(Unit(province, block.slug, key, agencies))
    return units


def _seed_year(year, units: list[Unit], tables, blocks, seed) -> dict[str, int]:
    cycles = _cycles_create(year, units, tables, blocks)
    written = {"cycles": len(cycles), "scores": 0, "results": 0, "publications": 0}
    publications = _publications_create(year, cycles, seed)
    written["publications"] = len(publications)
    now = timezone.now()
    for block, table in tables.items():
        chosen = [(unit, cycles[unit]) for unit in units if unit.block == block]
        if not chosen:
            continue
        frame, drawn = _inputs(chosen, table, seed, year)
        card = scoring.compute(table.frame, frame, table.rules)
        written["scores"] += _scores_write(frame, drawn, card, table, now)
        written["results"] += _results_write(card, table, publications)
        del frame, drawn, card
    return written


def _cycles_create(year, units, tables, blocks) -> dict[Unit, int]:
    AssessmentCycle.objects.bulk_create(
        AssessmentCycle(
            province=unit.province,
            year=year,
            block=blocks[unit.block],
            criteria_set=tables[unit.block].criteria_set,
            state=CycleState.PUBLISHED,
            submission_deadline=datetime.date(year + 1, 1, 31),
            data_from=datetime.date(year, 1, 1),
            data_to=datetime.date(year, 12, 31),
        )
        for unit in units
    )
    ids = {
        (p, b): pk
        for p, b, pk in AssessmentCycle.objects.filter(
            year=year, province__in=[u.province for u in units]
        ).values_list("province_id", "block_id", "id")
    }
    return {unit: ids[(unit.province.pk, blocks[unit.block].pk)] for unit in units}


def _publications_create(year, cycles: dict[Unit, int], seed) -> dict[int, int]:
    """One synthetic decision per cycle: revision 1, signed in the spring after the year."""
    rng = np.random.default_rng([seed, year, 99])
    numbers = rng.integers(100, 3600, len(cycles))
    days = rng.integers(0, 120, len(cycles))
    rows = []
    for cycle, number, day in zip(cycles.values(), numbers, days, strict=True):
        decided = datetime.date(year + 1, 3, 1) + datetime.timedelta(days=int(day))
        rows.append(
            Publication(
                cycle_id=cycle,
                revision=1,
                decision_number=f"{number}/QĐ-UBND",
                decision_date=decided,
                signer="Chủ tịch UBND tỉnh (mô phỏng)",
                published_at=timezone.make_aware(
                    datetime.datetime.combine(decided, datetime.time(9, 0))
                ),
                is_synthetic=True,
            )
        )
    Publication.objects.bulk_create(rows, batch_size=2000)
    return dict(
        Publication.objects.filter(cycle_id__in=cycles.values(), revision=1).values_list(
            "cycle_id", "id"
        )
    )


def _national_ensure(scope: Scope, seed: int) -> National:
    """The national scope, its DTI-like set and the agencies of the provinces in `scope`."""
    with transaction.atomic():
        national, block = national_scope_ensure()
        criteria_set = national_criteria_set_ensure(scope=national, block=block)
        agencies = province_agencies_ensure(
            scope=national, block=block, provinces=[*scope.legacy, *scope.current]
        )
    table = Table.load(criteria_set, NATIONAL_BLOCK, seed)
    return National(scope=national, block=block, table=table, agencies=agencies)


def _national_units(national: National, provinces, year, legacy, summary) -> list[Unit]:
    """The provinces to rank in a year's national cycle; none when the cycle exists.

    Each province is its own draw (seed, province code, block, year), so a province's
    inputs do not depend on which other provinces a run covers; ranks and "relative"
    criteria of course do.
    """
    found = (
        AssessmentCycle.objects.filter(province=national.scope, year=year, block=national.block)
        .values_list("criteria_set__slug", flat=True)
        .first()
    )
    if found is not None:
        if not found.startswith(PREFIX):
            summary.skipped.append(f"{national.scope.slug} {national.block.slug} {year}")
        return []
    return [
        Unit(
            province,
            NATIONAL_BLOCK,
            int(province.code) + (0 if legacy else 100),
            [national.agencies[province.pk]],
        )
        for province in sorted(provinces, key=lambda p: p.code)
    ]


def _seed_national_year(year, units: list[Unit], national: National, seed) -> dict[str, int]:
    """One published national cycle ranking `units`' provinces, by the real engine."""
    cycle = AssessmentCycle(
        province=national.scope,
        year=year,
        block=national.block,
        criteria_set=national.table.criteria_set,
        state=CycleState.PUBLISHED,
        submission_deadline=datetime.date(year + 1, 2, 28),
        data_from=datetime.date(year, 1, 1),
        data_to=datetime.date(year, 12, 31),
    )
    AssessmentCycle.objects.bulk_create([cycle])
    cycle_id = AssessmentCycle.objects.get(
        province=national.scope, year=year, block=national.block
    ).pk
    publication = _national_publication_create(year, cycle_id, seed)
    frame, drawn = _inputs([(unit, cycle_id) for unit in units], national.table, seed, year)
    card = scoring.compute(national.table.frame, frame, national.table.rules)
    return {
        "cycles": 1,
        "publications": 1,
        "scores": _scores_write(frame, drawn, card, national.table, timezone.now()),
        "results": _results_write(card, national.table, {cycle_id: publication}),
    }


def _national_publication_create(year: int, cycle_id: int, seed: int) -> int:
    """The Ministry's synthetic decision, in the summer after the year.

    The Ministry of Information and Communications merged into the Ministry of Science
    and Technology on 1 March 2025; decisions after that carry the new ministry's name.
    """
    rng = np.random.default_rng([seed, year, 98])
    number, day = int(rng.integers(100, 3600)), int(rng.integers(0, 90))
    decided = datetime.date(year + 1, 6, 1) + datetime.timedelta(days=day)
    ministry, short = (
        ("Bộ Thông tin và Truyền thông", "BTTTT")
        if decided < datetime.date(2025, 3, 1)
        else ("Bộ Khoa học và Công nghệ", "BKHCN")
    )
    publication = Publication.objects.create(
        cycle_id=cycle_id,
        revision=1,
        decision_number=f"{number}/QĐ-{short}",
        decision_date=decided,
        signer=f"Bộ trưởng {ministry} (mô phỏng)",
        published_at=timezone.make_aware(datetime.datetime.combine(decided, datetime.time(9, 0))),
        is_synthetic=True,
    )
    return publication.pk


def _inputs(chosen, table: Table, seed: int, year: int) -> tuple[pd.DataFrame, Drawn]:
    """The engine's inputs frame for all cycles of a block, sorted by agency id."""
    parts, agencies, blocks = [], [], []
    block_index = list(BLOCK_MAXIMUM).index(chosen[0][0].block)
    for unit, cycle in chosen:
        n = len(unit.agencies)
        parts.append(draw_inputs(table, n, seed=seed, key=unit.key, block=block_index, year=year))
        agencies.append(np.array(unit.agencies, dtype=np.int64))
        blocks.append(np.full(n, cycle, dtype=np.int64))
    agency = np.concatenate(agencies)
    order = np.argsort(agency, kind="stable")
    drawn = Drawn(
        *(
            np.concatenate([getattr(p, f.name) for p in parts])[order]
            for f in dataclasses.fields(Drawn)
        )
    )
    agency, block = agency[order], np.concatenate(blocks)[order]
    n, k = drawn.value.shape
    frame = pd.DataFrame(
        {
            "agency": np.repeat(agency, k),
            "block": np.repeat(block, k),
            "criterion": pd.Categorical.from_codes(
                np.tile(np.arange(k), n), categories=[s.code for s in table.specs]
            ),
            "value": pd.arrays.IntegerArray(drawn.value.ravel(), drawn.value_na.ravel()),
            "denominator": pd.arrays.IntegerArray(
                drawn.denominator.ravel(), drawn.denominator_na.ravel()
            ),
            "choice": drawn.choice.ravel(),
        }
    )
    return frame, drawn


def _scores_write(frame: pd.DataFrame, drawn: Drawn, card, table: Table, now) -> int:
    """Final-stage scores with the engine's points, one row per agency and criterion."""
    points = card.points
    if not (
        np.array_equal(points["agency"].to_numpy(), frame["agency"].to_numpy())
        and np.array_equal(points["criterion"].cat.codes.to_numpy(), frame["criterion"].cat.codes)
    ):
        raise RuntimeError("the engine's points are not in the inputs' order")
    n = drawn.value.shape[0]
    criterion = np.tile(table.ids, n)
    maxima = np.tile(table.maxima, n)
    value = drawn.value.ravel()
    value_na = drawn.value_na.ravel()
    denominator = drawn.denominator.ravel()
    denominator_na = drawn.denominator_na.ravel()
    choice = drawn.choice.ravel()
    milli = points["points"].to_numpy(dtype=np.int64)
    cycle = frame["block"].to_numpy()
    agency = frame["agency"].to_numpy()
    total = len(frame)
    postgres = connection.vendor == "postgresql"
    null = "\\N" if postgres else None
    stamp = now.isoformat() if postgres else connection.ops.adapt_datetimefield_value(now)
    synthetic = "t" if postgres else True
    for start in range(0, total, CHUNK):
        s = slice(start, start + CHUNK)
        chosen = choice[s]
        rows = zip(
            _column(cycle[s], postgres),
            _column(agency[s], postgres),
            _column(criterion[s], postgres),
            itertools.repeat(Stage.FINAL.value),
            _decimals(value[s], value_na[s], null),
            _decimals(denominator[s], denominator_na[s], null),
            np.where(pd.isna(chosen), "", chosen.astype(str)).tolist(),
            _decimals(milli[s]),
            _decimals(maxima[s]),
            itertools.repeat(""),
            itertools.repeat(synthetic),
            itertools.repeat(stamp),
            itertools.repeat(null),
        )
        (_copy if postgres else _insert)(Score, SCORE_FIELDS, rows)
    return total


def _column(ids: np.ndarray, as_text: bool) -> list:
    return ids.astype(str).tolist() if as_text else ids.tolist()


def _decimals(milli: np.ndarray, missing: np.ndarray | None = None, null=None) -> list:
    text = milli_text(milli).astype(object)
    if missing is not None:
        text[missing] = null
    return text.tolist()


def _results_write(card, table: Table, publications: dict[int, int]) -> int:
    """Draft results and their published copies, field for field as `_result_rows` has them."""
    criteria_codes = [s.code for s in table.specs]
    k = len(criteria_codes)
    agencies = np.sort(card.points["agency"].to_numpy()[::k])
    n = len(agencies)
    group_codes, group_milli = _wide(card.groups, "group", n)
    subgroup_codes, subgroup_milli = _wide(card.subgroups, "subgroup", n)
    keys = [*group_codes, *subgroup_codes]
    sums = milli_text(np.hstack([group_milli, subgroup_milli])).tolist()
    points = milli_text(card.points["points"].to_numpy().reshape(n, k)).tolist()
    results = card.results_decimal()
    position = np.searchsorted(agencies, results["agency"].to_numpy())
    postgres = connection.vendor == "postgresql"
    draft, published = [], []
    for row, at in zip(results.itertuples(index=False), position.tolist(), strict=True):
        groups = dict(zip(keys, sums[at], strict=True))
        criteria = dict(zip(criteria_codes, points[at], strict=True))
        rank = None if row.rank is None or row.rank != row.rank else int(row.rank)
        fields = {
            "cycle_id": int(row.block),
            "agency_id": int(row.agency),
            "total": row.total,
            "score": row.score,
            "percent": row.percent,
            "rank": rank,
            "band": row.band or "",
            "not_ranked_reason": row.not_ranked_reason or "",
            "groups": groups,
            "criteria": criteria,
        }
        if postgres:
            draft.append(fields)
        else:
            draft.append(Result(**fields))
            published.append(Result(publication_id=publications[int(row.block)], **fields))
    if postgres:
        columns = ["cycle", "publication", "agency", "total", "score", "percent", "rank"]
        columns += ["band", "not_ranked_reason", "groups", "criteria"]
        _copy(Result, columns, _result_lines(draft, None))
        _copy(Result, columns, _result_lines(draft, publications))
    else:
        Result.objects.bulk_create(draft, batch_size=2000)
        Result.objects.bulk_create(published, batch_size=2000)
    return 2 * len(draft)


def _wide(frame: pd.DataFrame, column: str, n: int) -> tuple[list[str], np.ndarray]:
    """A long (agency, code, points) frame as codes and an agencies × codes matrix."""
    if frame.empty:
        return [], np.zeros((n, 0), dtype=np.int64)
    width = len(frame) // n
    codes = [str(code) for code in frame[column].iloc[:width]]
    return codes, frame["points"].to_numpy(dtype=np.int64).reshape(n, width)


def _result_lines(rows: list[dict], publications: dict[int, int] | None):
    for fields in rows:
        publication = "\\N" if publications is None else str(publications[fields["cycle_id"]])
        yield (
            str(fields["cycle_id"]),
            publication,
            str(fields["agency_id"]),
            str(fields["total"]),
            str(fields["score"]),
            str(fields["percent"]),
            "\\N" if fields["rank"] is None else str(fields["rank"]),
            _escape(fields["band"]),
            _escape(fields["not_ranked_reason"]),
            _escape(json.dumps(fields["groups"])),
            _escape(json.dumps(fields["criteria"])),
        )


def _defaults(model, fields: list[str]) -> tuple[list[str], tuple]:
    """The model's other columns and their defaults, prepared for the database.

    A column added later (with a default) is filled as the ORM would fill it, so these
    bulk writes keep working when the models grow.
    """
    names, values = [], []
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key or model_field.name in fields:
            continue
        names.append(model_field.name)
        values.append(model_field.get_db_prep_save(model_field.get_default(), connection))
    return names, tuple(values)


def _insert(model, fields: list[str], rows: Iterable[Sequence]) -> None:
    """Multi-row INSERT through the DB-API's executemany (for databases without COPY).

    `bulk_create` prepares every decimal through the field (about 0.3 ms a score row);
    the values here are already in the database's form: ints, decimal strings, None.
    """
    names, defaults = _defaults(model, fields)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(model._meta.get_field(f).column) for f in [*fields, *names]
    )
    marks = ", ".join(["%s"] * (len(fields) + len(names)))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",
            [(*row, *defaults) for row in rows],
        )


def _escape(text: str) -> str:
    """COPY text format: backslash, tab and newline are escaped."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return _escape(value if isinstance(value, str) else str(value))


def _copy(model, fields: list[str], rows: Iterable[Sequence[str]]) -> None:
    """COPY rows (tuples of text, "\\N" for NULL) into `model`'s table, in chunks."""
    names, defaults = _defaults(model, fields)
    suffix = "".join("\t" + _copy_text(value) for value in defaults)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(model._meta.get_field(f).column) for f in [*fields, *names]
    )
    sql = f"COPY {table} ({columns}) FROM STDIN"
    connection.ensure_connection()
    raw = connection.connection
    iterator = iter(rows)
    with raw.cursor() as cursor:
        while True:
            chunk = list(itertools.islice(iterator, CHUNK))
            if not chunk:
                break
            text = "".join("\t".join(row) + suffix + "\n" for row in chunk)
            cursor.copy_expert(sql, io.StringIO(text))


# ---------------------------------------------------------------------------------------
# Removal.


def national_reset() -> dict[str, int]:
    """Delete the national cycles with their scores, results and publications.

    Agencies, units and the national criteria sets stay. Raw deletes: the ORM would load
    every score to cascade to its evidence.
    """
    cycles = AssessmentCycle.objects.filter(criteria_set__slug__startswith=PREFIX)
    counts = {}
    with transaction.atomic():
        cycle_ids = list(cycles.values_list("id", flat=True))
        counts["evidence"] = Evidence.objects.filter(score__cycle_id__in=cycle_ids).delete()[0]
        for model in (Result, Publication, Score):
            counts[model._meta.model_name] = _raw_delete(model, cycle_ids)
        counts["assessmentcycle"] = cycles.delete()[0]
    return counts


def _raw_delete(model, cycle_ids: list[int]) -> int:
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.get_field("cycle").column)
    deleted = 0
    with connection.cursor() as cursor:
        for start in range(0, len(cycle_ids), 500):
            chunk = cycle_ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", chunk)
            deleted += cursor.rowcount
    return deleted


def table_counts() -> dict[str, int]:
    """Rows per table, for the report at the end of a run."""
    models = (
        AdministrativeUnit,
        UnitSuccession,
        Province,
        Block,
        Agency,
        Succession,
        CriteriaSet,
        Criterion,
        AssessmentCycle,
        Score,
        Result,
        Publication,
    )
    return {model._meta.db_table: model.objects.count() for model in models}


__all__ = [
    "DEFAULT_YEARS",
    "NATIONAL_BLOCK",
    "NATIONAL_SET",
    "NationalYear",
    "Summary",
    "catalogue",
    "dti_catalogue",
    "milli_text",
    "national_criteria_set_ensure",
    "national_reset",
    "national_scope_ensure",
    "peak_mb",
    "province_agencies_ensure",
    "seed_national",
    "table_counts",
]
