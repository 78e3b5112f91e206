"""A city-supplied ONNX object detector as the pipeline's detector plug-in (the optional extra `huesmart[onnx]`).

The model the city supplies must have:
- one input, NCHW float32 [1, 3, H, W]: the frame in RGB, scaled to 0..1, resized to `input_size` (W, H) without
  keeping the aspect ratio (no letterbox);
- three outputs, taken by name when they are called "boxes", "scores" and "labels", else in that order:
  boxes [N, 4] float (x0, y0, x1, y1) normalised 0..1 to the image; scores [N] float 0..1; labels [N] integer
  indexes into `labels`. A leading batch dimension of 1 ([1, N, 4], [1, N], [1, N]) is accepted too. Non-maximum
  suppression is the model's business (export it with NMS inside, as YOLO and SSD exporters can).

Most exported detectors (YOLO, SSD, RT-DETR) can be wrapped to this shape with a few post-processing nodes; the
plug-in keeps no model-specific decoding so that the city can change models without a code change.

`regions` (normalised boxes where the background detector saw something) restrict the answer: a box is kept when
its centre lies in one of them; an empty list skips the model altogether; None looks at the whole image.
"""

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from .types import Box, Frame

INSTALL_HINT = "The ONNX detector needs onnxruntime: pip install 'huesmart[onnx]'."
OUTPUT_NAMES = ("boxes", "scores", "labels")


class OnnxDetectorError(Exception):
    """The model cannot be used: unreadable file, or inputs and outputs of the wrong shape. (A missing onnxruntime
    raises ImportError, with the install hint.)"""


def _runtime():
    try:
        import onnxruntime
    except ImportError as exc:  # the optional extra is not installed
        raise ImportError(INSTALL_HINT) from exc
    return onnxruntime


class OnnxDetector:
    """detect(frame, regions) -> list[Box] with an ONNX model run by onnxruntime on the CPU."""

    def __init__(
        self,
        path: str | Path,
        input_size: tuple[int, int] = (640, 640),
        labels: Sequence[str] = ("car", "motorbike", "bus", "truck", "bicycle", "person"),
        score_threshold: float = 0.5,
        *,
        threads: int = 1,
    ):
        width, height = input_size
        if width <= 0 or height <= 0:
            raise OnnxDetectorError(f"input_size must be positive, not {input_size!r}")
        if not 0.0 <= score_threshold <= 1.0:
            raise OnnxDetectorError(f"score_threshold must be between 0 and 1, not {score_threshold!r}")
        runtime = _runtime()
        options = runtime.SessionOptions()
        # One stream per core: the worker runs several cameras in parallel processes, not threads within one.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        try:
            self.session = runtime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types for unreadable or invalid models
            raise OnnxDetectorError(f"cannot load the ONNX model {path}: {exc}") from exc
        inputs = self.session.get_inputs()
        if len(inputs) != 1:
            raise OnnxDetectorError(f"the model must have one input, it has {len(inputs)}")
        self.input_name = inputs[0].name
        outputs = [o.name for o in self.session.get_outputs()]
        if len(outputs) < 3:
            raise OnnxDetectorError(f"the model must have three outputs (boxes, scores, labels), it has {outputs}")
        self.output_names = list(OUTPUT_NAMES) if set(OUTPUT_NAMES) <= set(outputs) else outputs[:3]
        self.input_size = (int(width), int(height))
        self.labels = list(labels)
        self.score_threshold = float(score_threshold)

    def _blob(self, frame: Frame) -> np.ndarray:
        """The frame as the model wants it: RGB 0..1, NCHW, resized to input_size."""
        h, w = frame.luma.shape
        i420 = np.concatenate([frame.luma.ravel(), frame.u.ravel(), frame.v.ravel()]).reshape(h * 3 // 2, w)
        rgb = cv2.cvtColor(i420, cv2.COLOR_YUV2RGB_I420)
        rgb = cv2.resize(rgb, self.input_size, interpolation=cv2.INTER_AREA if w > self.input_size[0] else
                         cv2.INTER_LINEAR)  # fmt: skip
        return (rgb.astype(np.float32) / 255.0).transpose(2, 0, 1)[None]

    def detect(self, frame: Frame, regions=None) -> list[Box]:
        if regions is not None and len(regions) == 0:
            return []
        boxes, scores, labels = self.session.run(self.output_names, {self.input_name: self._blob(frame)})
        boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
        scores = np.asarray(scores, np.float32).reshape(-1)
        labels = np.asarray(labels).reshape(-1)
        if not len(boxes) == len(scores) == len(labels):
            raise OnnxDetectorError(
                f"the model's outputs disagree: {len(boxes)} boxes, {len(scores)} scores, {len(labels)} labels"
            )
        found = []
        for (x0, y0, x1, y1), score, label in zip(boxes.tolist(), scores.tolist(), labels.tolist(), strict=True):
            if score < self.score_threshold:
                continue
            x0, x1 = sorted((min(max(x0, 0.0), 1.0), min(max(x1, 0.0), 1.0)))
            y0, y1 = sorted((min(max(y0, 0.0), 1.0), min(max(y1, 0.0), 1.0)))
            if x1 <= x0 or y1 <= y0:
                continue
            if regions is not None and not _centre_in_any((x0 + x1) / 2, (y0 + y1) / 2, regions):
                continue
            index = int(label)
            name = self.labels[index] if 0 <= index < len(self.labels) else str(index)
            found.append(Box(x0, y0, x1, y1, name, float(score)))
        return found


def _centre_in_any(x: float, y: float, regions) -> bool:
    return any(rx0 <= x <= rx1 and ry0 <= y <= ry1 for rx0, ry0, rx1, ry1 in regions)
