import datetime
import re
from pathlib import Path

import plotly.graph_objects as go
import plotly.offline
import pytest
from django.contrib.staticfiles import finders

from ocop_dashboard import charts
from ocop_dashboard.dashboard import Table
from ocop_dashboard.views import download

D = datetime.date.fromisoformat


def drawn(figure: dict) -> go.Figure:
    """The figure as plotly reads it, every property checked: an unknown one raises ValueError."""
    return go.Figure(figure)


def progress_chart(**fields):
    points = [(D("2019-12-31"), {3: 30, 4: 5}), (D("2020-09-05"), {3: 99, 4: 8})]
    return charts.ProgressChart(points=points, **fields)


def test_progress_figure_stacks_one_bar_trace_per_star_level():
    figure = drawn(charts.progress_figure(progress_chart()))
    assert [t.name for t in figure.data if t.type == "bar"] == ["3★", "4★", "5★"]


def test_progress_figure_ticks_a_year_end_by_its_year_and_other_days_in_full():
    figure = drawn(charts.progress_figure(progress_chart()))
    assert list(figure.layout.xaxis.ticktext) == ["2019", "05/09/2020"]


def test_published_figures_name_their_source_on_hover():
    figure = drawn(charts.progress_figure(progress_chart(published=[(D("2020-09-05"), 107, "Báo Bắc Kạn")])))
    [marker] = [t for t in figure.data if t.type == "scatter" and t.marker.symbol == "x-thin-open"]
    assert marker.text == ("05/09/2020: 107 — Báo Bắc Kạn",)


def test_figures_use_vietnamese_number_separators():
    assert drawn(charts.progress_figure(progress_chart())).layout.separators == ",."


def test_each_row_gets_a_mark_at_its_own_target():
    rows = [charts.StarsRow.of("Na Rì", {3: 10}, 25), charts.StarsRow.of("Ba Bể", {3: 4}, 30)]
    [mark] = [trace for trace in drawn(charts.stacked_bars_figure(rows)).data if trace.type == "scatter"]
    assert (mark.y, mark.x) == (("Na Rì", "Ba Bể"), (25, 30))


def test_a_row_without_a_target_gets_no_mark():
    rows = [charts.StarsRow.of("Na Rì", {3: 10}, 25), charts.StarsRow.of("Chưa ghi huyện", {3: 1})]
    [mark] = [trace for trace in drawn(charts.stacked_bars_figure(rows)).data if trace.type == "scatter"]
    assert mark.y == ("Na Rì",)


def test_rows_without_targets_draw_only_their_bars():
    figure = drawn(charts.stacked_bars_figure([charts.StarsRow.of("Thực phẩm", {3: 10})]))
    assert {trace.type for trace in figure.data} == {"bar"}


def test_long_labels_wrap_instead_of_being_cut():
    label = "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch"
    figure = drawn(charts.stacked_bars_figure([charts.StarsRow(label, 1)]))
    assert "<br>" in figure.data[0].y[0]


BUILT = [
    charts.progress_figure(progress_chart(
        targets=[(D("2025-12-31"), 200, "Đề án 2021–2025: 200")],
        path=((D("2020-12-31"), 131), (D("2025-12-31"), 200)),
        projection=((D("2020-09-05"), 107), (D("2025-12-31"), 187)),
        published=[(D("2020-09-05"), 107, "Báo Bắc Kạn")])),
    charts.stacked_bars_figure([charts.StarsRow.of("Na Rì", {3: 10, 4: 2}, 25)]),
    charts.bars_figure([("Hợp tác xã", 57)], title="Chủ thể"),
]
BUILT_IDS = ["progress", "stacked bars", "bars"]


def test_a_label_wrapped_on_three_lines_gets_the_room_of_three_lines():
    long, short = "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch", "Thực phẩm"
    heights = [charts.stacked_bars_figure([charts.StarsRow(label, 1) for label in labels])["layout"]["height"]
               for labels in ([short] * 8, [short] * 7 + [long])]
    assert heights[1] - heights[0] == 8 * (16 * 3 - 30)


@pytest.mark.parametrize("figure", BUILT, ids=BUILT_IDS)
def test_every_builder_makes_a_figure_plotly_accepts(figure):
    assert len(drawn(figure).data) == len(figure["data"])


def served_plotly_js() -> str:
    return Path(finders.find("vendor/plotly-basic.min.js")).read_text(encoding="utf-8")


def traces_in_bundle() -> set[str]:
    """The trace types the served plotly.js bundle registers (a partial bundle lacks the others)."""
    return set(re.findall(r'moduleType:"trace",name:"(\w+)"', served_plotly_js()))


def test_served_plotly_js_is_the_release_whose_schema_the_figures_are_checked_against():
    served = re.search(r"plotly\.js \(basic - minified\) v(\d+\.\d+)\.", served_plotly_js()[:200]).group(1)
    assert plotly.offline.get_plotlyjs_version().startswith(served + "."), "re-vendor static/vendor/plotly-basic.min.js"


@pytest.mark.parametrize("figure", BUILT, ids=BUILT_IDS)
def test_every_builder_draws_only_traces_the_served_bundle_has(figure):
    assert {trace["type"] for trace in figure["data"]} <= traces_in_bundle()


def test_csv_download_starts_with_a_bom_for_excel():
    response = download(Table("t", "T", ["Tên"], [["Miến dong"]]), "t", "csv")
    assert response.content.decode("utf-8").startswith("\ufeffTên")


def test_downloads_neutralise_cells_that_look_like_formulas():
    response = download(Table("t", "T", ["Tên"], [["=HYPERLINK(\"x\")"]]), "t", "csv")
    assert "'=HYPERLINK" in response.content.decode("utf-8")


def test_xlsx_download_holds_the_rows():
    import io

    import openpyxl

    response = download(Table("t", "T", ["Tên", "Số"], [["Miến dong", 3]]), "t", "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]] == ["Miến dong", 3]


def contrast_on_white(colour: str) -> float:
    """WCAG's contrast ratio of a #rrggbb colour against white."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_a_targets_mark_on_a_chart_reads_at_wcag_aa_contrast():
    # axe-core cannot tell the background of a chart's SVG, so the browser audit leaves it to us.
    figure = charts.stacked_bars_figure([charts.StarsRow.of("Na Rì", {3: 10}, 25)])
    [mark] = [trace for trace in figure["data"] if trace["type"] == "scatter"]
    assert contrast_on_white(mark["marker"]["color"]) >= 4.5
