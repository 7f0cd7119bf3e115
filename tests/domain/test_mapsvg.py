"""The SVG map of Mecklenburg-Vorpommern: projection, route order, weights, accessibility."""

from __future__ import annotations

import csv
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from booking.tours.mapsvg import (
    MIN_SPAN,
    OUTLINE,
    MapPoint,
    mv_map,
    projection_for,
)

SVG = "{http://www.w3.org/2000/svg}"
TOWNS_CSV = Path(__file__).resolve().parents[2] / "booking/network/data/mv_towns.csv"
SCHWERIN = MapPoint("schwerin", "Schwerin", 53.6265, 11.4128, "office")
GREIFSWALD = MapPoint("greifswald", "Greifswald", 54.0953, 13.3806, "office")
ROSTOCK = MapPoint("rostock", "Rostock", 54.0887, 12.1186, "office")
WISMAR = MapPoint("wismar", "Wismar", 53.891, 11.465)
GADEBUSCH = MapPoint("gadebusch", "Gadebusch", 53.704, 11.117)


def _towns() -> list[MapPoint]:
    with TOWNS_CSV.open(encoding="utf-8") as file:
        return [MapPoint(row["town_id"], row["name"], float(row["lat"]), float(row["lon"]))
                for row in csv.DictReader(file)]


def _parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))  # well-formed XML, or this raises


def _view_box(svg: ET.Element) -> tuple[float, float]:
    _x, _y, width, height = map(float, svg.get("viewBox").split())
    return width, height


@pytest.mark.parametrize("zoom", [False, True])
def test_every_place_lies_inside_the_drawing(zoom):
    points = [SCHWERIN, GREIFSWALD, ROSTOCK, *_towns()]
    project = projection_for(points, zoom=zoom)
    for point in points:
        x, y = project(point.lat, point.lon)
        assert 0 <= x <= project.width and 0 <= y <= project.height, point.id
    if not zoom:
        for ring in OUTLINE:
            for lon, lat in ring:
                x, y = project(lat, lon)
                assert 0 <= x <= project.width and 0 <= y <= project.height


def test_west_is_left_and_north_is_up():
    project = projection_for([])
    schwerin, greifswald, rostock = (project(p.lat, p.lon) for p in (SCHWERIN, GREIFSWALD,
                                                                     ROSTOCK))
    assert schwerin[0] < rostock[0] < greifswald[0]
    assert rostock[1] < schwerin[1]  # Rostock lies north of Schwerin


def test_distances_keep_their_proportions():
    """cos(54°): a degree of longitude is drawn 0.59 times as long as a degree of latitude."""
    project = projection_for([])
    x0, y0 = project(54.0, 12.0)
    x1, _ = project(54.0, 13.0)
    _, y1 = project(53.0, 12.0)
    assert (x1 - x0) / (y1 - y0) == pytest.approx(math.cos(math.radians(54)), abs=0.01)


def test_the_route_is_drawn_in_order_and_numbered():
    svg = _parse(mv_map([SCHWERIN, WISMAR, GADEBUSCH], ["schwerin", "wismar", "gadebusch",
                                                        "schwerin"], title="Tour"))
    project = projection_for([SCHWERIN, WISMAR, GADEBUSCH])
    [line] = svg.iter(f"{SVG}polyline")
    drawn = [tuple(map(float, pair.split(","))) for pair in line.get("points").split()]
    assert drawn == [project(p.lat, p.lon) for p in (SCHWERIN, WISMAR, GADEBUSCH, SCHWERIN)]
    numbers = [g.find(f"{SVG}text").text for g in svg.iter(f"{SVG}g")
               if g.get("class") == "stop-number"]
    assert numbers == ["1", "2"]
    desc = svg.find(f"{SVG}desc").text
    assert desc.index("Wismar") < desc.index("Gadebusch")


def test_accessible_and_left_to_right():
    svg = _parse(mv_map([SCHWERIN], title="Karte <MV>", description="Büros", id_prefix="m1"))
    assert svg.get("role") == "img" and svg.get("direction") == "ltr"
    assert svg.get("aria-labelledby") == "m1-title m1-desc"
    assert svg.find(f"{SVG}title").text == "Karte <MV>"  # escaped in the markup
    assert svg.find(f"{SVG}title").get("id") == "m1-title"
    assert svg.find(f"{SVG}desc").text == "Büros"


def test_labels_are_escaped():
    markup = str(mv_map([MapPoint("x", "<script>alert(1)</script>", 54, 12)], title="t"))
    assert "<script>" not in markup and "&lt;script&gt;" in markup


def test_offices_are_squares_and_towns_dots():
    svg = _parse(mv_map([SCHWERIN, WISMAR], title="t"))
    assert [r.get("class") for r in svg.iter(f"{SVG}rect")].count("office") == 1
    assert [c.get("class") for c in svg.iter(f"{SVG}circle")].count("town") == 1


def test_weights_scale_the_circles():
    points = [MapPoint("a", "A", 53.9, 11.5, weight=1), MapPoint("b", "B", 53.6, 12.5, weight=4),
              MapPoint("c", "C", 54.0, 13.0)]
    circles = [c for c in _parse(mv_map(points, title="t")).iter(f"{SVG}circle")
               if c.get("fill-opacity")]
    radii = sorted(float(c.get("r")) for c in circles)
    assert len(radii) == 2 and radii[0] < radii[1]
    assert not [c for c in _parse(mv_map(points[2:], title="t")).iter(f"{SVG}circle")
                if c.get("fill-opacity")]


def test_a_zoomed_map_shows_at_least_the_minimum_span():
    project = projection_for([WISMAR], zoom=True)
    west_x, _ = project(53.9, 11.465 - MIN_SPAN[0] / 2 + 0.01)
    east_x, _ = project(53.9, 11.465 + MIN_SPAN[0] / 2 - 0.01)
    assert 0 <= west_x < east_x <= project.width
    svg = _parse(mv_map([WISMAR], title="t", zoom=True))
    assert _view_box(svg) == (project.width, project.height)
