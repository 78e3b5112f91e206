"""A video of what the pipeline saw: zones, tracks and detections drawn over the analysed frames. For tuning a
camera's zones by eye (`analyze_video --annotate`), not for evidence."""

import av
import cv2
import numpy as np

from .types import Detection, Frame
from .zones import Zones

KIND_COLOURS = {  # BGR
    "no_parking": (0, 160, 255),
    "sidewalk": (255, 160, 0),
    "stop_line": (255, 255, 255),
    "one_way": (200, 0, 200),
}
TRACK_MOVING = (0, 220, 0)
TRACK_RESTING = (0, 220, 220)
DETECTION = (0, 0, 255)
SHOW_DETECTION_S = 3.0


def encoder_name() -> str:
    """H.264 when this PyAV build can encode it, else MPEG-4 part 2 (always there)."""
    for name in ("libx264", "h264", "mpeg4"):
        try:
            av.codec.Codec(name, "w")
        except (av.FFmpegError, ValueError):
            continue
        return name
    return "mpeg4"


class Annotator:
    def __init__(self, path: str, zones: Zones, width: int, height: int, fps: float):
        self.zones = zones
        self.width, self.height = width, height
        self.container = av.open(path, "w")
        self.stream = self.container.add_stream(encoder_name(), rate=max(1, round(fps)))
        self.stream.width, self.stream.height = width, height
        self.stream.pix_fmt = "yuv420p"
        self.recent: list[Detection] = []
        self.index = 0

    def write(self, frame: Frame, tracks: list[dict], detections: list[Detection]) -> None:
        picture = cv2.cvtColor(
            np.vstack([frame.luma, frame.u.reshape(-1, frame.width), frame.v.reshape(-1, frame.width)]),
            cv2.COLOR_YUV2BGR_I420,
        )
        self._zones(picture)
        for track in tracks:
            if not track["confirmed"]:
                continue
            colour = TRACK_RESTING if track["resting"] else TRACK_MOVING
            x0, y0 = self._point(track["box"][:2])
            x1, y1 = self._point(track["box"][2:])
            cv2.rectangle(picture, (x0, y0), (x1, y1), colour, 1)
            cv2.putText(picture, str(track["id"]), (x0, max(10, y0 - 3)), cv2.FONT_HERSHEY_SIMPLEX, 0.4, colour, 1)
        self.recent = [d for d in self.recent if frame.t - d.t <= SHOW_DETECTION_S] + list(detections)
        for line, detection in enumerate(self.recent):
            x0, y0 = self._point(detection.box[:2])
            x1, y1 = self._point(detection.box[2:])
            cv2.rectangle(picture, (x0, y0), (x1, y1), DETECTION, 2)
            text = f"{detection.rule} {detection.zone} #{detection.track}"
            cv2.putText(picture, text, (5, 15 + 14 * line), cv2.FONT_HERSHEY_SIMPLEX, 0.45, DETECTION, 1)
        cv2.putText(
            picture,
            f"{frame.t:7.1f}s",
            (self.width - 70, self.height - 6),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.4,
            (255, 255, 255),
            1,
        )
        video = av.VideoFrame.from_ndarray(picture, format="bgr24")
        video.pts = self.index
        self.index += 1
        self.container.mux(self.stream.encode(video))

    def close(self) -> None:
        self.container.mux(self.stream.encode(None))
        self.container.close()

    def _point(self, point) -> tuple[int, int]:
        return int(round(point[0] * self.width)), int(round(point[1] * self.height))

    def _zones(self, picture: np.ndarray) -> None:
        for polygon in self.zones.mask:
            points = np.array([self._point(p) for p in polygon], np.int32)
            cv2.polylines(picture, [points], True, (90, 90, 90), 1)
        for zone in self.zones:
            colour = KIND_COLOURS[zone.kind]
            if zone.polygon:
                points = np.array([self._point(p) for p in zone.polygon], np.int32)
                cv2.polylines(picture, [points], True, colour, 1)
                cv2.putText(picture, zone.id, tuple(points[0]), cv2.FONT_HERSHEY_SIMPLEX, 0.4, colour, 1)
            if zone.line:
                a, b = self._point(zone.line[0]), self._point(zone.line[1])
                cv2.line(picture, a, b, colour, 2)
                cv2.putText(picture, zone.id, a, cv2.FONT_HERSHEY_SIMPLEX, 0.4, colour, 1)
            if zone.signal:
                cv2.rectangle(picture, self._point(zone.signal[:2]), self._point(zone.signal[2:]), colour, 1)
            if zone.direction:
                centre = _centre(zone)
                start = self._point(centre)
                end = self._point((centre[0] + 0.06 * zone.direction[0], centre[1] + 0.06 * zone.direction[1]))
                cv2.arrowedLine(picture, start, end, colour, 2, tipLength=0.4)


def _centre(zone) -> tuple[float, float]:
    points = zone.polygon or zone.line
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
