"""When do two workers' labels for the same item agree?  Pure geometry, no store.

* classification (and any unknown kind): the same *set* of concepts.
* detection: per concept, a one-to-one matching of boxes with IoU >= threshold (boxes ``[x0,y0,x1,y1]``).
* polygon / segmentation: the same with polygon IoU (``polygon: [[x, y], ...]``).

Polygon intersection is exact for any simple polygon, convex or concave: a polygon's indicator is the
signed sum of the fan triangles (p0, p_i, p_i+1), so area(P ∩ Q) is the signed sum of the pairwise
intersections of their triangles, and each of those (convex ∩ convex) is exact Sutherland–Hodgman
clipping.  Self-intersecting rings are measured by winding number (a figure eight's lobes cancel):
that is the documented limitation.
"""
from __future__ import annotations

from typing import Iterable, Sequence

GEOMETRY_OF_KIND = {"detection": "box", "polygon": "polygon", "segmentation": "polygon"}


def box_iou(a: Sequence[float], b: Sequence[float]) -> float:
    ax0, ay0, ax1, ay1 = min(a[0], a[2]), min(a[1], a[3]), max(a[0], a[2]), max(a[1], a[3])
    bx0, by0, bx1, by1 = min(b[0], b[2]), min(b[1], b[3]), max(b[0], b[2]), max(b[1], b[3])
    iw = min(ax1, bx1) - max(ax0, bx0)
    ih = min(ay1, by1) - max(ay0, by0)
    inter = iw * ih if iw > 0 and ih > 0 else 0.0
    union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter
    return inter / union if union > 0 else (1.0 if a == b else 0.0)


def signed_area(poly: Sequence[Sequence[float]]) -> float:
    """Shoelace formula: positive for counter-clockwise rings."""
    s = 0.0
    n = len(poly)
    for i in range(n):
        x0, y0 = poly[i]
        x1, y1 = poly[(i + 1) % n]
        s += x0 * y1 - x1 * y0
    return s / 2.0


def polygon_area(poly: Sequence[Sequence[float]]) -> float:
    return abs(signed_area(poly))


def _clip_convex(subject: list, clip: list) -> list:
    """Sutherland–Hodgman: ``subject`` clipped by the convex counter-clockwise ``clip``."""
    out = subject
    n = len(clip)
    for i in range(n):
        if not out:
            break
        (cx0, cy0), (cx1, cy1) = clip[i], clip[(i + 1) % n]
        ex, ey = cx1 - cx0, cy1 - cy0

        def side(p):
            return ex * (p[1] - cy0) - ey * (p[0] - cx0)  # >= 0: left of the edge, inside

        inp, out = out, []
        prev = inp[-1]
        sp = side(prev)
        for cur in inp:
            sc = side(cur)
            if sc >= 0:
                if sp < 0:
                    t = sp / (sp - sc)
                    out.append((prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])))
                out.append(cur)
            elif sp >= 0:
                t = sp / (sp - sc)
                out.append((prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])))
            prev, sp = cur, sc
    return out


def _fan(poly: Sequence[Sequence[float]]) -> list[tuple[float, list]]:
    """Signed fan triangles (sign, counter-clockwise triangle) whose signed sum is the polygon."""
    pts = [(float(x), float(y)) for x, y in poly]
    tris = []
    for i in range(1, len(pts) - 1):
        tri = [pts[0], pts[i], pts[i + 1]]
        a = signed_area(tri)
        if a > 0:
            tris.append((1.0, tri))
        elif a < 0:
            tris.append((-1.0, [tri[0], tri[2], tri[1]]))
    return tris


def polygon_intersection_area(p: Sequence[Sequence[float]], q: Sequence[Sequence[float]]) -> float:
    if len(p) < 3 or len(q) < 3:
        return 0.0
    # Orient both rings counter-clockwise so the fan signs describe the interior with +1.
    if signed_area(p) < 0:
        p = list(reversed(p))
    if signed_area(q) < 0:
        q = list(reversed(q))
    total = 0.0
    fq = _fan(q)
    for sp, tp in _fan(p):
        for sq, tq in fq:
            clipped = _clip_convex(tp, tq)
            if len(clipped) >= 3:
                total += sp * sq * polygon_area(clipped)
    return max(total, 0.0)


def polygon_iou(p: Sequence[Sequence[float]], q: Sequence[Sequence[float]]) -> float:
    inter = polygon_intersection_area(p, q)
    union = polygon_area(p) + polygon_area(q) - inter
    return inter / union if union > 0 else 0.0


def _geometry_iou(geometry: str, a: dict, b: dict) -> float:
    ga, gb = a.get(geometry), b.get(geometry)
    if ga is None or gb is None:
        return 1.0 if ga is None and gb is None else 0.0
    return box_iou(ga, gb) if geometry == "box" else polygon_iou(ga, gb)


def _perfect_matching(n: int, edges: list[list[int]]) -> bool:
    """Kuhn's augmenting paths: can every left node 0..n-1 be matched to a distinct right node?"""
    match_right: dict[int, int] = {}

    def augment(u: int, seen: set) -> bool:
        for v in edges[u]:
            if v in seen:
                continue
            seen.add(v)
            if v not in match_right or augment(match_right[v], seen):
                match_right[v] = u
                return True
        return False

    return all(augment(u, set()) for u in range(n))


def labels_agree(kind: str, a: Iterable[dict], b: Iterable[dict], iou_threshold: float = 0.5) -> bool:
    a, b = list(a), list(b)
    geometry = GEOMETRY_OF_KIND.get(kind)
    if geometry is None:
        return {x.get("concept") for x in a} == {x.get("concept") for x in b}
    by_concept: dict = {}
    for side, labels in ((0, a), (1, b)):
        for label in labels:
            by_concept.setdefault(label.get("concept"), ([], []))[side].append(label)
    for left, right in by_concept.values():
        if len(left) != len(right):
            return False
        edges = [[j for j, r in enumerate(right) if _geometry_iou(geometry, l, r) >= iou_threshold]
                 for l in left]
        if not _perfect_matching(len(left), edges):
            return False
    return True


def consensus_group(kind: str, submissions: Sequence[tuple[str, list]], iou_threshold: float = 0.5) -> list[str]:
    """The largest set of workers agreeing with one submission (the first such, in worker order)."""
    best: list[str] = []
    if GEOMETRY_OF_KIND.get(kind) is None:
        # Classification agreement is equality of concept sets, so the groups are the classes of equal
        # sets: one pass puts each worker in its set's group.  A worker's group (itself, then the others
        # in order) is the same size for every member, so only the first member's can be the first
        # largest, and that one is its class in worker order: the groups in order of first appearance,
        # the first largest wins, as the pairwise comparison of each worker with the others found.
        groups: dict = {}
        for worker, labels in submissions:
            key = frozenset([x.get("concept") for x in labels])
            group = groups.get(key)
            if group is None:
                groups[key] = [worker]
            else:
                group.append(worker)
        for group in groups.values():
            if len(group) > len(best):
                best = group
        return best
    for i, (worker, labels) in enumerate(submissions):
        group = [worker] + [w for j, (w, other) in enumerate(submissions)
                            if j != i and labels_agree(kind, labels, other, iou_threshold)]
        if len(group) > len(best):
            best = group
    return best
