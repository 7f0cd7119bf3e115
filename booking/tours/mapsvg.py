"""An inline SVG map of Mecklenburg-Vorpommern drawn from coordinates: offices, towns, a
tour's route and circles weighted by a number (the demand map). No tiles, no script.

The state's outline is a hand-made approximation (some 80 points of the Baltic coast with
Rügen and Usedom, and the land border), good enough to recognise where a town lies; it is not
a survey. The projection is equirectangular with the longitude scaled by cos(54°), the state's
middle latitude, so distances look right to the eye (a degree of longitude is 0.59 of a degree
of latitude up here).

The SVG says ``direction="ltr"``: SVG text is not mirrored on right-to-left pages, and the
German place names read left to right there too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

COS_LAT = math.cos(math.radians(54.0))
WIDTH = 800  # viewBox units; the page scales the drawing to its column
MARGIN = 24
LABEL_ROOM = 110  # east of the easternmost point, for its label
LABEL_SIZE = 13
# Colours: text and route reach at least 4.5:1 against the fills (WCAG AA). Outside the state
# is plain grey, sea and neighbouring land alike: the map shows MV, not the coast.
INK, OUTSIDE, LAND, BORDER = "#1a1a1a", "#e9ecef", "#f7f4e8", "#7d7560"
OFFICE, ROUTE, WEIGHT = "#0b4f8a", "#a4161a", "#b35c00"
MIN_SPAN = (2.0, 1.0)  # degrees of longitude and latitude a zoomed map shows at least
ZOOM_PAD = 0.1  # degrees around the points of a zoomed map

# (lon, lat) rings, clockwise. The mainland with Poel and Usedom, from the Priwall westwards
# along the coast, then the Polish, Brandenburg, Lower Saxony and Schleswig-Holstein borders.
MAINLAND = (
    (10.89, 53.96), (11.02, 54.01), (11.19, 54.01), (11.30, 53.94), (11.41, 53.92),
    (11.46, 53.89), (11.49, 53.93), (11.42, 53.99), (11.45, 54.04), (11.53, 54.01),
    (11.58, 54.04), (11.61, 54.12),
    (11.75, 54.16), (11.86, 54.15), (12.00, 54.17), (12.08, 54.19), (12.25, 54.26),
    (12.36, 54.33), (12.42, 54.39), (12.51, 54.49), (12.69, 54.45), (12.93, 54.45),
    (12.95, 54.40), (13.05, 54.37), (13.12, 54.30), (13.22, 54.24), (13.33, 54.17),
    (13.45, 54.12), (13.62, 54.15), (13.72, 54.16), (13.78, 54.18), (13.85, 54.11),
    (13.93, 54.08), (14.02, 54.04), (14.19, 53.97), (14.23, 53.94), (14.22, 53.87),
    (14.10, 53.86), (13.95, 53.86), (13.85, 53.82), (13.95, 53.76), (14.05, 53.73),
    (14.18, 53.76), (14.27, 53.74), (14.28, 53.66), (14.41, 53.56), (14.41, 53.38), (14.27, 53.37),
    (14.12, 53.43), (13.95, 53.44), (13.77, 53.42), (13.58, 53.38), (13.45, 53.29),
    (13.25, 53.23), (13.05, 53.25), (12.85, 53.22), (12.65, 53.24), (12.45, 53.26),
    (12.30, 53.34), (12.10, 53.33), (11.90, 53.25), (11.72, 53.17), (11.55, 53.11),
    (11.35, 53.11), (11.25, 53.13), (11.08, 53.19), (10.90, 53.26), (10.77, 53.32),
    (10.62, 53.36), (10.59, 53.43), (10.63, 53.55), (10.80, 53.62), (10.78, 53.75),
    (10.88, 53.85),
)
RUEGEN = (
    (13.12, 54.33), (13.14, 54.42), (13.20, 54.47), (13.25, 54.58), (13.22, 54.64),
    (13.43, 54.69), (13.38, 54.61), (13.47, 54.58), (13.67, 54.58), (13.68, 54.51),
    (13.62, 54.41), (13.71, 54.38), (13.75, 54.34), (13.71, 54.27), (13.38, 54.23),
    (13.30, 54.28),
)
OUTLINE = (MAINLAND, RUEGEN)


@dataclass(frozen=True)
class MapPoint:
    id: str
    label: str
    lat: float
    lon: float
    kind: str = "town"  # "office" (a square) or "town" (a dot)
    weight: float = 0.0  # > 0: a circle whose area grows with the weight


@dataclass(frozen=True)
class Projection:
    """Degrees to viewBox units: x grows eastwards, y southwards."""

    west: float
    north: float
    scale: float
    width: int
    height: int

    @classmethod
    def fit(cls, lonlats: Sequence[tuple[float, float]]) -> Projection:
        west = min(lon for lon, _ in lonlats)
        east = max(lon for lon, _ in lonlats)
        south = min(lat for _, lat in lonlats)
        north = max(lat for _, lat in lonlats)
        scale = (WIDTH - 2 * MARGIN - LABEL_ROOM) / max((east - west) * COS_LAT, 1e-6)
        height = round((north - south) * scale) + 2 * MARGIN
        return cls(west, north, scale, WIDTH, height)

    def __call__(self, lat: float, lon: float) -> tuple[float, float]:
        x = MARGIN + (lon - self.west) * COS_LAT * self.scale
        y = MARGIN + (self.north - lat) * self.scale
        return round(x, 1), round(y, 1)


def projection_for(points: Sequence[MapPoint], *, zoom: bool = False) -> Projection:
    """The whole state, widened for any point outside it (a venue just over the border); with
    ``zoom`` only the points' surroundings (at least ``MIN_SPAN`` degrees wide and high)."""
    lonlats = [(p.lon, p.lat) for p in points]
    if not zoom or not lonlats:
        return Projection.fit([p for ring in OUTLINE for p in ring] + lonlats)
    corners = []
    for axis, span in ((0, MIN_SPAN[0]), (1, MIN_SPAN[1])):
        low = min(c[axis] for c in lonlats)
        high = max(c[axis] for c in lonlats)
        middle, half = (low + high) / 2, max(high - low + ZOOM_PAD * 2, span) / 2
        corners.append((middle - half, middle + half))
    (west, east), (south, north) = corners
    return Projection.fit([(west, south), (east, north)])


def mv_map(points: list[MapPoint], route: list[str] | None = None, *, title: str,
           description: str = "", id_prefix: str = "mv-map", zoom: bool = False) -> Markup:
    """The map as inline SVG. ``route``: point ids in driving order (start office, stops,
    end office); the stops are numbered 1, 2 … along a line. ``description`` becomes the
    drawing's <desc> (say in words what the map shows; the route's order is added).
    ``zoom``: show the points' part of the state only (the outline is cut at the edges)."""
    project = projection_for(points, zoom=zoom)
    by_id = {p.id: p for p in points}
    route = [i for i in (route or []) if i in by_id]
    names = " → ".join(by_id[i].label for i in route)
    desc = " ".join(part for part in (description, names) if part)
    parts = [
        Markup('<svg xmlns="http://www.w3.org/2000/svg" class="mv-map" role="img" '
               'direction="ltr" viewBox="0 0 {w} {h}" aria-labelledby="{p}-title {p}-desc" '
               'font-family="sans-serif" overflow="hidden">').format(
            w=project.width, h=project.height, p=id_prefix),
        Markup('<title id="{p}-title">{t}</title><desc id="{p}-desc">{d}</desc>').format(
            p=id_prefix, t=title, d=desc),
        Markup('<rect width="100%" height="100%" fill="{}"/>').format(OUTSIDE),
    ]
    for ring in OUTLINE:
        coords = " ".join(f"{x},{y}" for x, y in (project(lat, lon) for lon, lat in ring))
        parts.append(Markup('<polygon points="{}" fill="{}" stroke="{}" stroke-width="1.5" '
                            'stroke-linejoin="round"/>').format(coords, LAND, BORDER))
    parts.extend(_weights(points, project))
    parts.extend(_route(route, by_id, project))
    parts.extend(_markers(points, project))
    parts.extend(_stop_numbers(route, by_id, project))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _weights(points: Sequence[MapPoint], project: Projection) -> list[Markup]:
    heaviest = max((p.weight for p in points), default=0.0)
    if heaviest <= 0:
        return []
    circles = []
    # Largest first, so a small circle is never hidden under a big one.
    for point in sorted((p for p in points if p.weight > 0), key=lambda p: -p.weight):
        x, y = project(point.lat, point.lon)
        radius = round(6 + 30 * math.sqrt(point.weight / heaviest), 1)
        circles.append(Markup(
            '<circle cx="{}" cy="{}" r="{}" fill="{}" fill-opacity="0.35" stroke="{}" '
            'stroke-width="1.5"/>').format(x, y, radius, WEIGHT, WEIGHT))
    return circles


def _route(route: list[str], by_id: dict[str, MapPoint], project: Projection) -> list[Markup]:
    if len(route) < 2:
        return []
    coords = " ".join("{},{}".format(*project(by_id[i].lat, by_id[i].lon)) for i in route)
    return [Markup('<polyline class="route" points="{}" fill="none" stroke="{}" '
                   'stroke-width="3" stroke-linejoin="round" stroke-dasharray="8 4"/>'
                   ).format(coords, ROUTE)]


def _markers(points: Sequence[MapPoint], project: Projection) -> list[Markup]:
    drawn = []
    for point in points:
        x, y = project(point.lat, point.lon)
        if point.kind == "office":
            drawn.append(Markup('<rect class="office" x="{}" y="{}" width="12" height="12" '
                                'fill="{}" stroke="#ffffff" stroke-width="1.5"/>').format(
                round(x - 6, 1), round(y - 6, 1), OFFICE))
        else:
            drawn.append(Markup('<circle class="town" cx="{}" cy="{}" r="4" fill="{}"/>')
                         .format(x, y, INK))
        # A white halo keeps the label readable over lines and circles.
        drawn.append(Markup(
            '<text x="{}" y="{}" font-size="{}" fill="{}" stroke="#ffffff" stroke-width="3" '
            'paint-order="stroke" font-weight="{}">{}</text>').format(
            round(x + 9, 1), round(y + 4, 1), LABEL_SIZE, INK,
            "700" if point.kind == "office" else "400", escape(point.label)))
    return drawn


def _stop_numbers(route: list[str], by_id: dict[str, MapPoint], project: Projection
                  ) -> list[Markup]:
    """1, 2 … on the stops between the first and the last place of the route."""
    numbers = []
    for number, place_id in enumerate(route[1:-1], start=1):
        x, y = project(by_id[place_id].lat, by_id[place_id].lon)
        numbers.append(Markup(
            '<g class="stop-number"><circle cx="{x}" cy="{y}" r="10" fill="{c}"/>'
            '<text x="{x}" y="{ty}" font-size="12" font-weight="700" fill="#ffffff" '
            'text-anchor="middle">{n}</text></g>').format(
            x=round(x - 14, 1), y=round(y - 12, 1), ty=round(y - 8, 1), c=ROUTE, n=number))
    return numbers
