"""The official labels of the forms (../shared/forms/README.md): Mẫu số 01 of NĐ 335/2025
with its task scoring sheet, the annual form and the summary table.

These are the texts of official Vietnamese documents, printed as the decree words them,
whatever the reader's language: they are Vietnamese constants here, in one place, not
gettext messages (a translation would no longer be the form). Labels marked "as
implemented" in the shared notes come from public software that prints these forms;
correct them here when the official annex is at hand.
"""

from __future__ import annotations

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PLACE_DATE = "…………, ngày …… tháng …… năm ……"
DOTS = "…" * 34

# -- Mẫu số 01 ---------------------------------------------------------------------------
FORM_01 = "Mẫu số 01"
FORM_01_TITLE = "PHIẾU THEO DÕI, ĐÁNH GIÁ CÔNG CHỨC"
PERIOD_LINE = "(Kỳ theo dõi, đánh giá: {period})"
MONTH = "tháng {month}/{year}"
QUARTER = "quý {quarter} năm {year}"
NAME = "Họ và tên: "
JOB_TITLE = "Chức vụ, chức danh: "
UNIT = "Đơn vị công tác: "

PART_I = "I. KẾT QUẢ THEO DÕI, ĐÁNH GIÁ THEO TIÊU CHÍ CHUNG"
GENERAL_HEADERS = (
    "TT",
    "Tiêu chí chấm điểm",
    "Điểm tối đa",
    "Điểm do cá nhân tự chấm",
    "Điểm do cấp có thẩm quyền chấm",
)
# (number, wording, maximum, the core's key; None for a group's heading)
GENERAL_ITEMS: tuple[tuple[str, str, float, str | None], ...] = (
    (
        "I",
        "Phẩm chất chính trị, phẩm chất đạo đức, văn hóa thực thi công vụ và ý thức kỷ luật, "
        "kỷ cương trong thực thi công vụ",
        10,
        None,
    ),
    (
        "1",
        "Phẩm chất chính trị, phẩm chất đạo đức, văn hóa thực thi công vụ",
        5,
        "politics_ethics_culture",
    ),
    ("2", "Ý thức kỷ luật, kỷ cương trong thực thi công vụ", 5, "discipline"),
    (
        "II",
        "Năng lực chuyên môn, nghiệp vụ theo yêu cầu của vị trí việc làm; khả năng đáp ứng yêu "
        "cầu thực thi nhiệm vụ được giao; tinh thần trách nhiệm trong thực thi công vụ; thái "
        "độ phục vụ người dân, doanh nghiệp và khả năng phối hợp với đồng nghiệp",
        10,
        None,
    ),
    ("1", "Năng lực chuyên môn, nghiệp vụ theo yêu cầu của vị trí việc làm", 2.5, "competence"),
    (
        "2",
        "Khả năng đáp ứng yêu cầu thực thi nhiệm vụ được giao thường xuyên, đột xuất",
        2.5,
        "meets_tasks",
    ),
    ("3", "Tinh thần trách nhiệm trong thực thi công vụ", 2.5, "responsibility"),
    (
        "4",
        "Thái độ phục vụ người dân, doanh nghiệp và khả năng phối hợp với đồng nghiệp",
        2.5,
        "service_coordination",
    ),
    (
        "III",
        "Năng lực đổi mới, sáng tạo, dám nghĩ, dám làm, dám chịu trách nhiệm vì lợi ích chung "
        "trong thực thi công vụ",
        10,
        None,
    ),
    (
        "1",
        "Có sản phẩm, giải pháp đột phá, sáng tạo đem lại giá trị, hiệu quả thiết thực",
        2.5,
        "breakthrough",
    ),
    (
        "2",
        "Sẵn sàng tham gia thực hiện nhiệm vụ chính trị đặc biệt quan trọng, nhiệm vụ có tính "
        "chất đột xuất, phức tạp hoặc trong điều kiện khó khăn",
        2.5,
        "hard_tasks",
    ),
    (
        "3",
        "Có tinh thần chịu trách nhiệm trước kết quả công việc; chủ động nhận trách nhiệm khi "
        "có sai sót và có biện pháp khắc phục rõ ràng, cụ thể",
        2.5,
        "accountability",
    ),
    (
        "4",
        "Chủ động đưa ra quyết định trong phạm vi thẩm quyền, không né tránh; có tinh thần "
        "tiên phong trong thực hiện những nhiệm vụ mới",
        2.5,
        "initiative",
    ),
)
GENERAL_TOTAL = "Tổng cộng"
GENERAL_MAX = 30

PART_II = "II. TỔNG HỢP KẾT QUẢ THEO DÕI, ĐÁNH GIÁ CÔNG CHỨC"
SUM_GENERAL = "1. Điểm tiêu chí chung: "
SUM_TASKS = "2. Điểm tiêu chí kết quả thực hiện nhiệm vụ: "
PART_A = "a) Số lượng: "
PART_B = "b) Chất lượng: "
PART_C = "c) Tiến độ: "
PART_D = "d) Kết quả hoạt động của lĩnh vực được giao lãnh đạo, quản lý, phụ trách: "
PART_DD = "đ) Khả năng tổ chức triển khai thực hiện nhiệm vụ: "
PART_E = "e) Năng lực tập hợp, đoàn kết công chức thuộc phạm vi quản lý: "
BONUS = "Điểm thưởng: "
DEDUCTIONS = "Điểm trừ: "
SUM_TOTAL = "3. Tổng điểm theo dõi, đánh giá: "
LEVEL = "Mức xếp loại: "
PROPOSED = "Mức cá nhân đề xuất: "
BASIS = "Căn cứ: "
STRENGTHS = "4. Ưu điểm:"
SHORTCOMINGS = "5. Hạn chế, khuyết điểm:"
COMMENT = "6. Ý kiến nhận xét của cấp có thẩm quyền theo dõi, đánh giá:"
COMMENT_HEAD = "Trưởng đơn vị: "
COMMENT_DIRECTOR = "Thủ trưởng cơ quan: "
NOT_RATED = "Không đủ căn cứ xếp loại trong kỳ (không có nhiệm vụ được đánh giá)."
NOT_CLASSIFIED = "Chưa có kết quả."
POINTS_OF = "{value}/{max} điểm"

SIGN_SELF = "CÔNG CHỨC TỰ ĐÁNH GIÁ"
SIGN_REVIEWER = "CẤP CÓ THẨM QUYỀN THEO DÕI, ĐÁNH GIÁ"
SIGN_DIRECTOR = "THỦ TRƯỞNG CƠ QUAN"
SIGN_MAKER = "NGƯỜI LẬP BIỂU"
SIGN_HINT = "(Ký, ghi rõ họ tên)"
SIGN_HINT_SEAL = "(Ký tên, đóng dấu)"

# -- the task scoring sheet ------------------------------------------------------------
SHEET_TITLE = "BIỂU CHẤM ĐIỂM TIÊU CHÍ KẾT QUẢ THỰC HIỆN NHIỆM VỤ"
SHEET_HEAD = (
    "STT",
    "Miêu tả công việc",
    "Hệ số quy đổi",
    "Chấm điểm số lượng",
    "",
    "",
    "Chấm điểm chất lượng (trừ 25%/lần không đạt)",
    "",
    "Chấm điểm tiến độ (trừ 25%/lần chậm muộn)",
    "",
    "Ghi chú/Giải trình",
)
SHEET_SUBHEAD = (
    "",
    "",
    "",
    "Hoàn thành",
    "Không hoàn thành",
    "Điểm %",
    "Số lần không đạt",
    "Điểm %",
    "Số lần chậm muộn",
    "Điểm %",
    "",
)
GROUP_PLANNED = "I. Nhiệm vụ đã có trong kế hoạch/phân công"
GROUP_EXTRA = "II. Nhiệm vụ đảm nhận thêm hoặc đột xuất, phát sinh (*)"
GROUP_PARTS = "III. Chấm điểm theo từng tiêu chí"
GROUP_TOTAL = "IV. Điểm tiêu chí kết quả thực hiện nhiệm vụ"
TOTAL_STAFF = "(số lượng + chất lượng + tiến độ)/3"
TOTAL_LEADER = "(số lượng + chất lượng + tiến độ + d + đ + e)/6"
PART_NAMES = {
    "a": "Số lượng",
    "b": "Chất lượng",
    "c": "Tiến độ",
    "d": "Kết quả hoạt động của lĩnh vực được giao phụ trách (**)",
    "dd": "Khả năng tổ chức triển khai thực hiện nhiệm vụ (**)",
    "e": "Năng lực tập hợp, đoàn kết công chức (**)",
}
NO_TASK = "Không có"
MARK = "x"
TAKEN_OVER = "Nhiệm vụ đảm nhận thêm"
AD_HOC = "Nhiệm vụ đột xuất, phát sinh"
OBJECTIVE = "Có lý do khách quan được xác nhận"
NOT_REPORTED = "Chưa báo cáo kết quả"
REPORTED = "Báo cáo không đủ khả năng hoàn thành: {report}"
FOOTNOTE_EXTRA = (
    "(*) Công chức được giao đảm nhận thêm nhiệm vụ từ công chức khác hoặc công việc đột "
    "xuất, phát sinh thì nhiệm vụ này được tính ngoài tổng số nhiệm vụ được giao ban đầu và "
    "được tính thêm điểm tiêu chí kết quả thực hiện nhiệm vụ."
)
FOOTNOTE_LEADER = "(**) Các tiêu chí d, đ, e chỉ chấm ở mức 100% hoặc 50%."

# -- the annual form -------------------------------------------------------------------
YEAR_TITLE = "PHIẾU XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC"
YEAR_LINE = "Năm {year}"
YEAR_I = "I. TỔNG HỢP KẾT QUẢ THEO DÕI, ĐÁNH GIÁ"
YEAR_HEADERS = ("TT", "Kỳ theo dõi, đánh giá", "Điểm", "Ghi chú")
YEAR_MEAN = "Điểm trung bình năm"
YEAR_NOT_WORKED = "Không làm việc trong kỳ"
YEAR_OTHER_AGENCY = "Điểm do {agency} chuyển đến"
YEAR_II = "II. TỰ ĐÁNH GIÁ, XẾP LOẠI"
YEAR_COMMENT = "Ý kiến của công chức: "
YEAR_III = "III. KẾT QUẢ XẾP LOẠI CỦA CẤP CÓ THẨM QUYỀN"
YEAR_PROPOSAL = "Mức xếp loại theo điểm: "
YEAR_HEAD = "Ý kiến của Trưởng đơn vị: "
YEAR_DIRECTOR = "Ý kiến của Thủ trưởng cơ quan: "
YEAR_AGREE = "Đồng ý với mức đề xuất"
YEAR_LOWER = "Xếp loại ở mức {level}. Lý do: {reason}"
YEAR_FINAL = "Xếp loại chất lượng: "
YEAR_NOT_RATED = "Không xếp loại (không có kỳ được theo dõi, đánh giá trong năm)"
YEAR_PENDING = "Chưa công bố (mức trước khi áp dụng tỷ lệ: {level})"
YEAR_IV = "IV. ĐỀ XUẤT PHƯƠNG ÁN XỬ LÝ"
YEAR_IV_HINT = "(đối với công chức xếp loại Không hoàn thành nhiệm vụ)"
BOX_ON, BOX_OFF = "☒", "☐"

# the four levels as the decree names them (NĐ 335 Điều 20)
LEVELS = {
    "A": "Hoàn thành xuất sắc nhiệm vụ",
    "B": "Hoàn thành tốt nhiệm vụ",
    "C": "Hoàn thành nhiệm vụ",
    "D": "Không hoàn thành nhiệm vụ",
}

# -- the summary table -----------------------------------------------------------------
SUMMARY_TITLE = "BẢNG TỔNG HỢP KẾT QUẢ XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC"
SUMMARY_PERIOD_TITLE = "BẢNG TỔNG HỢP KẾT QUẢ THEO DÕI, ĐÁNH GIÁ CÔNG CHỨC"
SUMMARY_HEAD = ("TT", "Đơn vị", "Tổng số", "Số được xếp loại")
SUMMARY_COUNT, SUMMARY_SHARE = "Số lượng", "Tỷ lệ %"
SUMMARY_NOT_RATED = "Không xếp loại"
SUMMARY_QUOTA = "Tỷ lệ HTXSNV so với HTTNV (tối đa 20%)"
SUMMARY_ALL = "Toàn cơ quan"
SUMMARY_LIST = "Công chức không xếp loại"
SUMMARY_LIST_HEAD = ("TT", "Họ và tên", "Đơn vị", "Lý do")
NO_ASSESSMENT = "Không tự đánh giá trong kỳ"
NO_TASKS = "Không có nhiệm vụ được đánh giá trong kỳ"
NO_PERIODS = "Không có kỳ được theo dõi, đánh giá trong năm"
QUOTA_NOTE = (
    "HTXSNV: Hoàn thành xuất sắc nhiệm vụ; HTTNV: Hoàn thành tốt nhiệm vụ. Tỷ lệ Hoàn "
    "thành xuất sắc nhiệm vụ không quá 20% số được xếp loại Hoàn thành tốt nhiệm vụ (Nghị "
    "định số 335/2025/NĐ-CP, Điều 20 khoản 5)."
)
