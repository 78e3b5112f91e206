"""The ONNX detector plug-in, run on a tiny model built here with onnx.helper (nothing downloaded)."""

import builtins

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from onnx import TensorProto, helper  # noqa: E402

from cameras.pipeline import Box, Frame  # noqa: E402
from cameras.pipeline.onnx_detector import OnnxDetector, OnnxDetectorError  # noqa: E402

BOXES = [[0.1, 0.2, 0.3, 0.4], [0.6, 0.5, 0.9, 0.95], [0.45, 0.05, 0.55, 0.15]]
SCORES = [0.9, 0.55, 0.2]
LABELS = [0, 1, 2]


def _model(path, *, batch=False, names=("boxes", "scores", "labels"), third_score_from_image=False):
    """boxes/scores/labels as constants; with third_score_from_image the third score is the image's mean (0..1),
    which shows the input is RGB scaled to 0..1."""
    boxes = np.array([BOXES] if batch else BOXES, np.float32)
    scores = np.array([SCORES] if batch else SCORES, np.float32)
    labels = np.array([LABELS] if batch else LABELS, np.int64)
    nodes = [
        helper.make_node("Constant", [], ["boxes_c"], value=helper.make_tensor("b", TensorProto.FLOAT, boxes.shape,
                                                                              boxes.ravel())),
        helper.make_node("Constant", [], [names[2]], value=helper.make_tensor("l", TensorProto.INT64, labels.shape,
                                                                              labels.ravel())),
        helper.make_node("Identity", ["boxes_c"], [names[0]]),
        helper.make_node("ReduceMean", ["images"], ["mean"], keepdims=0),
    ]  # fmt: skip
    if third_score_from_image:
        mask = np.zeros(scores.shape, np.float32)
        mask.reshape(-1)[2] = 1.0
        base = scores * (1 - mask)
        nodes += [
            helper.make_node("Constant", [], ["base"], value=helper.make_tensor("s", TensorProto.FLOAT, base.shape,
                                                                                base.ravel())),
            helper.make_node("Constant", [], ["mask"], value=helper.make_tensor("m", TensorProto.FLOAT, mask.shape,
                                                                                mask.ravel())),
            helper.make_node("Mul", ["mask", "mean"], ["picked"]),
            helper.make_node("Add", ["base", "picked"], [names[1]]),
        ]  # fmt: skip
    else:
        zero = helper.make_tensor("z", TensorProto.FLOAT, [], [0.0])
        nodes += [
            helper.make_node("Constant", [], ["scores_c"], value=helper.make_tensor("s", TensorProto.FLOAT,
                                                                                    scores.shape, scores.ravel())),
            helper.make_node("Constant", [], ["zero"], value=zero),
            helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
            helper.make_node("Add", ["scores_c", "nothing"], [names[1]]),
        ]  # fmt: skip
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 32, 48])],
        [
            helper.make_tensor_value_info(names[0], TensorProto.FLOAT, list(boxes.shape)),
            helper.make_tensor_value_info(names[1], TensorProto.FLOAT, list(scores.shape)),
            helper.make_tensor_value_info(names[2], TensorProto.INT64, list(labels.shape)),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def _frame(luma=128, width=64, height=36):
    return Frame(
        t=0.0,
        luma=np.full((height, width), luma, np.uint8),
        u=np.full((height // 2, width // 2), 128, np.uint8),
        v=np.full((height // 2, width // 2), 128, np.uint8),
    )


def _detector(tmp_path, **kwargs):
    model_kwargs = {k: kwargs.pop(k) for k in ("batch", "names", "third_score_from_image") if k in kwargs}
    path = _model(tmp_path / "tiny.onnx", **model_kwargs)
    return OnnxDetector(path, input_size=(48, 32), labels=["car", "motorbike", "bus"], **kwargs)


def test_detect_returns_the_models_boxes_above_the_threshold(tmp_path):
    found = _detector(tmp_path, score_threshold=0.5).detect(_frame(), None)

    assert all(isinstance(box, Box) for box in found)
    assert [(b.x0, b.y0, b.x1, b.y1, b.label, b.score) for b in found] == [
        pytest.approx((0.1, 0.2, 0.3, 0.4, "car", 0.9)),
        pytest.approx((0.6, 0.5, 0.9, 0.95, "motorbike", 0.55)),
    ]


def test_a_higher_threshold_keeps_fewer_boxes_and_a_lower_one_more(tmp_path):
    assert [b.label for b in _detector(tmp_path, score_threshold=0.6).detect(_frame(), None)] == ["car"]
    assert [b.label for b in _detector(tmp_path, score_threshold=0.1).detect(_frame(), None)] == [
        "car",
        "motorbike",
        "bus",
    ]


def test_regions_keep_only_boxes_whose_centre_lies_in_one(tmp_path):
    detector = _detector(tmp_path, score_threshold=0.1)

    assert [b.label for b in detector.detect(_frame(), [(0.5, 0.4, 1.0, 1.0)])] == ["motorbike"]
    assert [b.label for b in detector.detect(_frame(), [(0.0, 0.0, 0.35, 0.5), (0.4, 0.0, 0.6, 0.2)])] == [
        "car",
        "bus",
    ]
    assert detector.detect(_frame(), [(0.0, 0.6, 0.2, 1.0)]) == []
    assert detector.detect(_frame(), []) == []


def test_outputs_with_a_batch_dimension_and_other_names_are_read_in_order(tmp_path):
    detector = _detector(tmp_path, batch=True, names=("dets", "conf", "cls"), score_threshold=0.5)

    assert [(b.label, round(b.score, 2)) for b in detector.detect(_frame(), None)] == [("car", 0.9),
                                                                                       ("motorbike", 0.55)]  # fmt: skip


def test_the_model_sees_the_frame_as_rgb_scaled_to_one(tmp_path):
    detector = _detector(tmp_path, third_score_from_image=True, score_threshold=0.7)

    white = detector.detect(_frame(luma=255), None)
    black = detector.detect(_frame(luma=0), None)

    assert [b.label for b in white] == ["car", "bus"]
    assert white[1].score == pytest.approx(1.0, abs=0.02)
    assert [b.label for b in black] == ["car"]


def test_bad_arguments_and_files_fail_with_a_clear_error(tmp_path):
    path = _model(tmp_path / "tiny.onnx")
    with pytest.raises(OnnxDetectorError, match="score_threshold"):
        OnnxDetector(path, input_size=(48, 32), score_threshold=1.5)
    with pytest.raises(OnnxDetectorError, match="input_size"):
        OnnxDetector(path, input_size=(0, 32))
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    with pytest.raises(OnnxDetectorError, match="cannot load"):
        OnnxDetector(broken, input_size=(48, 32))


def test_without_onnxruntime_the_error_says_how_to_install_it(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_runtime(name, *args, **kwargs):
        if name == "onnxruntime":
            raise ImportError("No module named 'onnxruntime'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_runtime)
    with pytest.raises(ImportError, match=r"huesmart\[onnx\]"):
        OnnxDetector(tmp_path / "tiny.onnx", input_size=(48, 32))
