"""Agreement rules: concept sets, box and polygon IoU with one-to-one matching."""
import pytest

from mockserver.core import box_iou, labels_agree, polygon_iou
from mockserver.core.agreement import polygon_intersection_area

SQ = [[0, 0], [2, 0], [2, 2], [0, 2]]
L_SHAPE = [[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]]  # concave, area 3


def test_box_iou():
    assert box_iou([0, 0, 2, 2], [1, 1, 3, 3]) == pytest.approx(1 / 7)
    assert box_iou([0, 0, 1, 1], [2, 2, 3, 3]) == 0
    assert box_iou([0, 0, 1, 1], [0, 0, 1, 1]) == 1


def test_polygon_iou_convex():
    assert polygon_iou(SQ, [[1, 1], [3, 1], [3, 3], [1, 3]]) == pytest.approx(1 / 7)
    assert polygon_iou(SQ, list(reversed(SQ))) == pytest.approx(1)


def test_polygon_iou_concave_is_exact_not_bounding_box():
    notch = [[1, 1], [2, 1], [2, 2], [1, 2]]
    assert polygon_intersection_area(L_SHAPE, notch) == pytest.approx(0)  # bbox approximation would say 1
    assert polygon_intersection_area(L_SHAPE, SQ) == pytest.approx(3)
    centre = [[0.5, 0.5], [1.5, 0.5], [1.5, 1.5], [0.5, 1.5]]
    assert polygon_intersection_area(list(reversed(L_SHAPE)), centre) == pytest.approx(0.75)
    assert polygon_iou(L_SHAPE, SQ) == pytest.approx(0.75)


def test_classification_is_set_of_concepts():
    assert labels_agree("classification", [{"concept": "a"}, {"concept": "b"}], [{"concept": "b"}, {"concept": "a"}])
    assert not labels_agree("classification", [{"concept": "a"}], [{"concept": "a"}, {"concept": "b"}])
    assert labels_agree("anything-else", [{"concept": "a"}], [{"concept": "a"}])


def test_detection_needs_one_to_one_match():
    a = [{"concept": "cat", "box": [0, 0, 10, 10]}, {"concept": "cat", "box": [20, 20, 30, 30]}]
    b = [{"concept": "cat", "box": [21, 21, 31, 31]}, {"concept": "cat", "box": [1, 0, 10, 10]}]
    assert labels_agree("detection", a, b, 0.5)
    assert not labels_agree("detection", a, b[:1], 0.5)
    c = [{"concept": "cat", "box": [0, 0, 10, 10]}, {"concept": "cat", "box": [1, 1, 10, 10]}]
    assert not labels_agree("detection", a, c, 0.5)  # both of c match only a's first box
    assert not labels_agree("detection", a, b, 0.95)


def test_polygon_kind_uses_polygon_iou():
    a = [{"concept": "x", "polygon": L_SHAPE}]
    assert labels_agree("polygon", a, [{"concept": "x", "polygon": SQ}], 0.7)
    assert not labels_agree("segmentation", a, [{"concept": "x", "polygon": SQ}], 0.8)
