"""The dashboard as a PDF report: who may download it, and that it carries the page's figures
under the page's rules (a hidden one worded as the page words it, a refused selection with no
figure at all), in the reader's language and with letters that the reader can read."""

import datetime
import io

import pypdf
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import Pair
from programs.models import Topic
from tests.dashboard.conftest import populate
from tests.factories import ProgramFactory
from tests.feedback.factories import SurveyScheduleFactory, builtin

pytestmark = pytest.mark.django_db
URL = reverse("dashboard_pdf")


@pytest.fixture
def march(time_machine):
    """The small program's "today" (see conftest.py): its figures are worked out for that day."""
    time_machine.move_to(datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC))


def pdf_of(response) -> pypdf.PdfReader:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(response.content))


def text_of(response) -> str:
    """The words of every page, one space apart: a table cell's text wraps where its column ends."""
    return " ".join(" ".join(page.extract_text() for page in pdf_of(response).pages).split())


@pytest.mark.parametrize("who", ["mentor", "mentee", "participant"])
def test_participants_cannot_download_the_report(request, client_for, program, who):
    assert client_for(request.getfixturevalue(who)).get(URL).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_post_is_not_allowed(client_for, executive):
    assert client_for(executive).post(URL).status_code == 405


@pytest.mark.parametrize("who", ["executive", "hr_admin"])
def test_the_report_is_a_pdf_attachment_named_after_the_program_and_day(
    request, client_for, small_program, march, who
):
    program = small_program.program
    response = client_for(request.getfixturevalue(who)).get(URL, {"program": program.pk})
    assert len(pdf_of(response).pages) >= 2
    assert response["Content-Disposition"] == (
        f'attachment; filename="dashboard-{program.slug}-2026-03-02.pdf"'
    )
    assert "no-store" in response["Cache-Control"]


def test_the_overview_is_named_all_programs(client_for, executive, small_program, march):
    response = client_for(executive).get(URL)
    assert response["Content-Disposition"] == (
        'attachment; filename="dashboard-all-programs-2026-03-02.pdf"'
    )


def test_the_report_says_what_it_covers_and_the_threshold(
    client_for, executive, small_program, march
):
    text = text_of(client_for(executive).get(URL, {"program": small_program.program.pk}))
    assert "Dashboard report" in text
    assert f"Program {small_program.program.name}" in text
    assert "Department All departments" in text
    assert "Period All time" in text
    assert "Produced on March 2, 2026" in text
    assert "a figure over fewer than 3 people is hidden" in text


def test_the_report_prints_the_pages_figures(client_for, executive, small_program, march):
    client = client_for(executive)
    params = {"program": small_program.program.pk}
    report = client.get(reverse("dashboard"), params).context["report"]
    text = text_of(client.get(URL, params))
    assert (report.pairs.value, report.adherence.value, report.hours.value) == (4, 75, 10.8)
    assert "Approved pairs 4 Active pairs 4" in text
    assert "Sessions held vs expected 75% Mentoring hours 10.8" in text
    assert "Mentees 25 88%" in text
    assert "AI and automation tools 2.0 3.67 1.67" in text
    assert "January 2026 6 5.0" in text


def test_hidden_figures_print_as_the_page_words_them_never_a_number(
    client_for, executive, small_program, march
):
    text = text_of(client_for(executive).get(URL, {"program": small_program.program.pk}))
    hidden = "Hidden to protect anonymity"
    # Each row's cells, in order: the hidden ones carry the words and nothing else.
    assert f"Mentors {hidden} 50%" in text
    assert f"Social media and TikTok {hidden} {hidden} {hidden}" in text
    # February is hidden to protect March, in the same words.
    assert f"February 2026 {hidden} {hidden} March 2026 {hidden} {hidden}" in text
    # The charts draw no bar for them either: their labels say hidden.
    assert "Feb 2026 (hidden)" in text and "Mar 2026 (hidden)" in text
    # The hidden values themselves: social media's mean confidence at enrolment (2 and 4) and
    # March's hours (one session of one hour).
    assert "3.0" not in text and "1.0" not in text


def test_the_report_names_nobody(client_for, executive, small_program, march):
    text = text_of(client_for(executive).get(URL, {"program": small_program.program.pk}))
    for pair in Pair.objects.select_related("mentor__user", "mentee__user"):
        for enrolment in (pair.mentor, pair.mentee):
            assert enrolment.user.full_name not in text
            assert enrolment.user.email not in text


def test_a_refused_selection_gives_the_reason_and_no_figure(
    client_for, executive, small_program, march
):
    response = client_for(executive).get(
        URL, {"program": small_program.program.pk, "department": "IT"}
    )
    text = text_of(response)
    assert "This selection is too small to show" in text
    assert "Department IT" in text
    for figure_words in ("Summary", "Approved pairs", "Trend by month", "Hidden to protect"):
        assert figure_words not in text
    # No chart: nothing but text, in the report's font.
    assert b"/Subtype /Image" not in response.content


def test_invalid_filters_give_the_reason_and_no_figure(client_for, executive, small_program, march):
    text = text_of(client_for(executive).get(URL, {"period": "2031-Q1"}))
    assert "The filters are not valid" in text
    assert "2031-Q1" not in text
    assert "Approved pairs" not in text and "Summary" not in text


def test_before_any_program_the_report_says_so(client_for, executive):
    text = text_of(client_for(executive).get(URL))
    assert "Program figures appear here once a program is active." in text
    assert "Summary" not in text


def test_the_report_is_in_the_readers_language_with_its_letters(
    client_for, executive, small_program, march
):
    executive.preferred_language = "vi"
    executive.save(update_fields=["preferred_language"])
    response = client_for(executive).get(URL, {"program": small_program.program.pk})
    text = text_of(response)
    # Vowels with two marks, from the catalogue, the topic's own name and the charts alike.
    assert "Mức độ tham gia và buổi gặp" in text
    assert "Người cố vấn Đã ẩn để bảo vệ tính ẩn danh 50%" in text
    assert "Công cụ AI và tự động hóa" in text
    assert "Tháng 2 2026 (đã ẩn)" in text
    assert "Hidden to protect" not in text
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in pdf_of(response).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any(name.endswith("+BeVietnamPro-Regular") for name in fonts), fonts


def test_query_count_is_the_same_for_10_and_200_participants(client_for, executive, march):
    client = client_for(executive)
    topic = Topic.objects.order_by("pk").first()
    program = ProgramFactory(
        anonymity_threshold=3,
        status="active",
        topics=[topic],
        start_date=datetime.date(2026, 1, 5),
        end_date=datetime.date(2026, 7, 5),
        enrolment_deadline=None,
    )
    pulse = SurveyScheduleFactory(program=program, template=builtin("session-pulse"))
    end = SurveyScheduleFactory(program=program, template=builtin("end-of-program"))

    def queries() -> int:
        cache.clear()  # count the queries that compute the figures, not a cache hit
        with CaptureQueriesContext(connection) as context:
            response = client.get(URL, {"program": program.pk})
        assert "Approved pairs" in text_of(response)
        return len(context.captured_queries)

    populate(program, 5, topic, pulse, end)  # 10 participants
    small = queries()
    populate(program, 95, topic, pulse, end)  # 200 participants
    assert queries() == small
