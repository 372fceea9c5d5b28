"""The SVG charts: an image with a text name, every value written out, nothing by colour alone."""

from __future__ import annotations

from lxml import etree

from cme.reports.charts import bar_chart, chart_for, column_chart
from cme.reports.dashboard import Figure, Row

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> etree._Element:
    return etree.fromstring(markup.encode())


def _text(svg: etree._Element, tag: str) -> str:
    element = svg.find(f"{SVG}{tag}")
    assert element is not None
    return str(element.text)


def test_a_bar_chart_is_a_named_image_with_every_label_and_value_as_text() -> None:
    svg = _parse(bar_chart("c", "Children <by> sex", ["Female", "Male"], [3, 0]))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c-title c-desc"
    assert _text(svg, "title") == "Children <by> sex"  # escaped in the markup
    assert _text(svg, "desc") == "Female: 3; Male: 0"
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts == ["Female", "3", "Male", "0"]
    bars = list(svg.iter(f"{SVG}rect"))[1:]  # the first is the hatch pattern's ground
    assert [b.get("width") for b in bars] == ["340", "0"]
    # Hatched and outlined, and no style attributes for the content security policy to refuse.
    assert all(b.get("fill") == "url(#c-hatch)" and b.get("stroke") for b in bars)
    assert not [e for e in svg.iter() if e.get("style") is not None]


def test_a_column_chart_labels_every_third_month_and_the_last() -> None:
    labels = [f"M{n}" for n in range(1, 8)]
    svg = _parse(column_chart("t", "Trend", labels, list(range(7))))
    texts = [t.text for t in svg.iter(f"{SVG}text") if t.text and t.text.startswith("M")]
    assert texts == ["M1", "M4", "M7"]
    assert _text(svg, "desc").startswith("M1: 0; M2: 1")


def test_chart_for_draws_the_chosen_column_and_skips_figures_without_charts() -> None:
    figure = Figure(
        "trend",
        "Cases by month",
        "Item 8",
        ("Month", "Notified", "Open"),
        [Row("Jan", (1, 5)), Row("Feb", (2, 7))],
        chart="column",
        chart_column=1,
    )
    svg = chart_for(figure)
    assert svg is not None
    assert "Cases by month: open" in svg and "Jan: 5; Feb: 7" in svg
    assert chart_for(Figure("x", "X", "", ("a", "b"), [Row("a", (1,))], chart="")) is None
    assert chart_for(Figure("x", "X", "", ("a", "b"), [], chart="bar")) is None
