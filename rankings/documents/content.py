"""What the annex and the minutes say, gathered once for both the PDF and the .docx.

The annex's table comes from the same leaderboard frame as the page and the exports, so
the figures of the decision, the page and the files can never disagree.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import translation
from django.utils.text import slugify

from rankings import formatting, wording
from rankings.models import AssessmentCycle, Publication, Review, Score, Stage
from rankings.printed import printed, written
from rankings.public.selectors.leaderboard import leaderboard

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
COUNCIL = "HỘI ĐỒNG THẨM ĐỊNH"


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool]  # per column: right-aligned figures
    total: list[str] | None = None  # a closing row (the minutes' totals)

    @property
    def lines(self) -> list[list[tuple[str, bool]]]:
        """Each row's cells with whether the cell is a figure, the closing row last."""
        rows = [*self.rows, self.total] if self.total else self.rows
        return [list(zip(row, self.numeric, strict=True)) for row in rows]


@dataclass(frozen=True)
class Signature:
    on_behalf: str  # "TM. ỦY BAN NHÂN DÂN"
    title: str  # "CHỦ TỊCH"
    name: str = ""


@dataclass(frozen=True)
class Document:
    """One administrative document: header, title lines, a table, notes, signatures."""

    issuer: list[str]  # the issuing body, upper lines first ("UBND TỈNH VĨNH PHÚC")
    place_date: str  # "Vĩnh Phúc, ngày 22 tháng 11 năm 2021"
    title: list[str]  # "PHỤ LỤC", the subject, "(Kèm theo Quyết định số … ngày …)"
    table: Table
    notes: list[str] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    filename: str = "tai-lieu"
    landscape: bool = False


def long_date(day: datetime.date) -> str:
    """ "ngày 22 tháng 11 năm 2021" as decisions print it: days below 10 and the months
    January and February take a leading zero (Nghị định 30/2020/NĐ-CP)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def issuer_lines(cycle: AssessmentCycle) -> list[str]:
    if cycle.province.is_national:
        return ["BỘ THÔNG TIN VÀ TRUYỀN THÔNG"]
    return ["ỦY BAN NHÂN DÂN", f"TỈNH {cycle.province.name.upper()}"]


def _slug_number(number: str) -> str:
    """ "3192/QĐ-UBND" → "3192-qd-ubnd": ASCII, for a download's file name."""
    ascii_text = slugify(number.replace("Đ", "D").replace("đ", "d").replace("/", "-"))
    return ascii_text or "quyet-dinh"


@translation.override("vi")
def annex(*, cycle: AssessmentCycle) -> Document:
    """The published ranking as the annex of its latest decision (revision)."""
    board = leaderboard(cycle=cycle, params={}, with_previous=False)
    if board is None or board.publication is None:  # the view serves published cycles only
        raise ValueError(f"{cycle} has no publication: it has no annex")
    publication: Publication = board.publication
    table = _annex_table(board)
    if publication.is_decision:
        decision = (
            f"(Kèm theo Quyết định số {publication.decision_number} "
            f"{long_date(publication.decision_date)} của {_issuer_name(cycle)})"
        )
    else:  # a table published otherwise: its source, and no decision's signature
        decision = f"({publication.source_line}; không phải quyết định công bố)"
    return Document(
        issuer=issuer_lines(cycle),
        place_date=f"{_place(cycle)}, {long_date(publication.decision_date)}",
        title=["PHỤ LỤC", _annex_subject(cycle), decision],
        table=table,
        notes=_annex_notes(board),
        signatures=[_signer(cycle, publication)] if publication.is_decision else [],
        filename=(
            f"phu-luc-{_slug_number(publication.decision_number or 'nguon')}-"
            f"{cycle.province.slug}-{cycle.year}-{cycle.block.slug}"
        ),
        landscape=len(table.headers) > 7,
    )


def _annex_table(board) -> Table:
    """A row per agency: rank, name, group points, total, percent (and band, if any)."""
    rules = board.criteria_set
    groups = board.groups
    headers = ["Hạng", "Cơ quan, đơn vị"]
    headers += [f"{group.code}. {group.name}" for group in groups]
    headers += ["Tổng điểm", "Tỷ lệ % điểm tối đa"]
    has_bands = bool(board.bands)
    if has_bands:
        headers.append("Xếp loại")
    rows = []
    for record, subtotals in board.table_rows:
        rank = str(record["rank"]) if record["rank"] is not None else "Không xếp hạng"
        row = [rank, record["agency_name"]]
        row += [formatting.points(value, 3) for value in subtotals]
        row += [
            formatting.points(record["total"], rules.precision),
            formatting.percent(record["percent"], rules.percent_precision),
        ]
        if has_bands:
            row.append(record["band"] or "")
        rows.append(row)
    numeric = [True, False, *[True] * (len(groups) + 2), *([False] if has_bands else [])]
    return Table(headers, rows, numeric)


def _annex_subject(cycle: AssessmentCycle) -> str:
    if cycle.province.is_national:
        return f"KẾT QUẢ XẾP HẠNG CÁC TỈNH, THÀNH PHỐ TRỰC THUỘC TRUNG ƯƠNG NĂM {cycle.year}"
    return (
        f"KẾT QUẢ XẾP HẠNG MỨC ĐỘ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN, XÂY DỰNG CHÍNH QUYỀN "
        f"ĐIỆN TỬ {cycle.block.name.upper()} NĂM {cycle.year}"
    )


def _annex_notes(board) -> list[str]:
    """The criteria set, the block's figures, and the correction's reason."""
    rules, stats, publication = board.criteria_set, board.stats, board.publication
    shown = printed(rules)
    notes = [
        f"Bộ tiêu chí: {rules.name}; điểm tối đa {formatting.exact(rules.max_points, 3)}.",
        f"Số đơn vị: {formatting.count(stats.count)}; điểm trung bình "
        f"{written(stats.mean, shown.statistic)}; cao nhất {written(stats.highest, shown.total)}; "
        f"thấp nhất {written(stats.lowest, shown.total)}.",
    ]
    if publication.revision > 1:
        notes.append(f"Đính chính lần {publication.revision}: {publication.reason}")
    return notes


def _place(cycle: AssessmentCycle) -> str:
    """Where the decision is signed: the province, or Hà Nội for the Ministry."""
    return "Hà Nội" if cycle.province.is_national else cycle.province.name


def _issuer_name(cycle: AssessmentCycle) -> str:
    if cycle.province.is_national:
        return "Bộ Thông tin và Truyền thông"
    return f"UBND tỉnh {cycle.province.name}"


def _signer(cycle: AssessmentCycle, publication: Publication) -> Signature:
    """The signature block by who signed: the head signs for the body ("TM." a committee,
    the minister in person); a deputy signs "KT." for the head (Nghị định 30/2020/NĐ-CP)."""
    office = (publication.signer or "").strip().lower()
    if cycle.province.is_national:
        if office.startswith("bộ trưởng"):
            return Signature("", "BỘ TRƯỞNG")
        return Signature("KT. BỘ TRƯỞNG", "THỨ TRƯỞNG")
    if office.startswith("phó"):
        return Signature("TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    return Signature("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")


REVIEW_WORDS: dict[str, str] = {
    Review.PENDING: "Chưa thẩm định",
    Review.ACCEPTED: "Chấp nhận",
    Review.ADJUSTED: "Điều chỉnh",
    Review.RETURNED: "Trả lại, bổ sung minh chứng",
}


@translation.override("vi")
def minutes(*, cycle: AssessmentCycle, agency) -> Document:
    """The council's minutes (biên bản thẩm định) of one agency: self vs council vs final."""
    rows, total = _minutes_rows(cycle, agency)
    today = datetime.date.today()
    return Document(
        issuer=["SỞ THÔNG TIN VÀ TRUYỀN THÔNG", COUNCIL],
        place_date=f"{cycle.province.name}, {long_date(today)}",
        title=[
            "BIÊN BẢN THẨM ĐỊNH",
            f"Kết quả tự đánh giá mức độ ứng dụng công nghệ thông tin, xây dựng chính quyền "
            f"điện tử năm {cycle.year} của {agency.name}",
            f"({cycle.block.name}, bộ tiêu chí: {cycle.criteria_set.name})",
        ],
        table=Table(
            list(MINUTES_HEADERS), rows, [False, False, True, True, True, True, False, False], total
        ),
        notes=[
            "Điểm tự đánh giá, điểm thẩm định và điểm chính thức ghi theo từng tiêu chí; "
            "“—” là tiêu chí chưa có điểm ở bước đó."
        ],
        signatures=[
            Signature("ĐẠI DIỆN ĐƠN VỊ", "THỦ TRƯỞNG ĐƠN VỊ"),
            Signature(f"TM. {COUNCIL}", "CHỦ TỊCH HỘI ĐỒNG"),
        ],
        filename=f"bien-ban-tham-dinh-{cycle.province.slug}-{cycle.year}-{agency.slug}",
        landscape=True,
    )


MINUTES_HEADERS = [
    "Mã",
    "Tiêu chí",
    "Điểm tối đa",
    "Tự đánh giá",
    "Hội đồng thẩm định",
    "Điểm chính thức",
    "Kết quả thẩm định",
    "Ý kiến của Hội đồng",
]


def _minutes_rows(cycle: AssessmentCycle, agency) -> tuple[list[list[str]], list[str]]:
    """A row per criterion (its points at each stage, the review, the comment); the total."""
    criteria = list(cycle.criteria_set.criteria.order_by("order", "code"))
    scores: dict[tuple[int, str], Score] = {
        (score.criterion_id, score.stage): score
        for score in Score.objects.filter(cycle=cycle, agency=agency)
    }
    rows = []
    sums: dict[str, Decimal | int] = {Stage.SELF: 0, Stage.VERIFIED: 0, Stage.FINAL: 0}
    for criterion in criteria:
        own = scores.get((criterion.pk, Stage.SELF))
        row = [criterion.code, criterion.name, formatting.exact(criterion.max_points, 3)]
        for stage in (Stage.SELF, Stage.VERIFIED, Stage.FINAL):
            score = scores.get((criterion.pk, stage))
            row.append(_score_text(score, criterion))
            if score is not None:
                sums[stage] += score.points
        row.append(_review_words(own, scores.get((criterion.pk, Stage.FINAL))))
        row.append(own.comment if own is not None else "")
        rows.append(row)
    total = [
        "",
        "Tổng cộng",
        formatting.exact(cycle.criteria_set.max_points, 3),
        *(formatting.points(sums[stage], 3) for stage in (Stage.SELF, Stage.VERIFIED, Stage.FINAL)),
        "",
        "",
    ]
    return rows, total


def _review_words(own: Score | None, final: Score | None) -> str:
    if own is not None:
        return REVIEW_WORDS.get(own.review, "")
    # Scores imported or entered by the department never went through a self-assessment.
    return "Nhập trực tiếp, không qua tự đánh giá" if final is not None else "Chưa tự đánh giá"


def _score_text(score: Score | None, criterion) -> str:
    if score is None:
        return "—"
    shown = formatting.points(score.points, 3)
    if score.denominator:
        ratio = f"{formatting.raw_value(score.value)}/{formatting.raw_value(score.denominator)}"
        return f"{ratio} → {shown}"
    if score.choice:
        return f"{wording.choice_label(criterion.params, score.choice)} → {shown}"
    return shown
