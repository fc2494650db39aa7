"""The image backend: draws 256 px images from a designer's saved model.

embedded: the folder holds the flow-matching generator, the training drafts its drafts are
refined from, the upsampler and the palette (engine/image/flow.py, refine.py, render.py); the
newest MAX_MODELS are kept loaded (the refinement's patches take about 85 MB for a 30-piece
portfolio). hub: the folder holds a LoRA for the pretrained pipeline of the settings
(engine/image/hub.py), loaded once.
"""

import collections
from pathlib import Path

MAX_MODELS = 8


class ImageBackend:
    """Callers hold the registry's lock for this backend while they use it."""

    def __init__(self, settings):
        self.settings = settings
        self._models: collections.OrderedDict[str, tuple] = collections.OrderedDict()
        self._pipe = None

    def _embedded(self, folder: Path) -> tuple:
        from engine.image import flow, render

        key = str(Path(folder).resolve())
        if key not in self._models:
            generator = flow.Generator(flow.load(Path(folder) / "generator.safetensors"))
            self._models[key] = (generator, *render.load_finisher(Path(folder)))
        self._models.move_to_end(key)
        while len(self._models) > MAX_MODELS:
            self._models.popitem(last=False)
        return self._models[key]

    def pipe(self):
        """The hub profile's pretrained pipeline, loaded on first use."""
        if self._pipe is None:
            from engine.image import hub

            self._pipe = hub.load_pipeline(self.settings.image_model_id,
                                           self.settings.image_model_revision, self.settings.threads)
        return self._pipe

    def draw(self, folder: Path, prompt: str, seeds: list[int]) -> list:
        """One RGB PIL image per seed for the prompt (embedded: 256 px; hub: the LoRA's
        training resolution), drawn on the settings' serving threads."""
        import torch

        # per call: torch keeps a thread count per thread, and try-outs arrive on many threads
        torch.set_num_threads(self.settings.threads)
        if (Path(folder) / "generator.safetensors").exists():
            from engine.image import drawing, render

            images, _ = drawing.draw(*self._embedded(folder), prompt, seeds)
            return [render.to_image(image) for image in images]
        from engine.image import hub

        return [hub.generate(self.pipe(), Path(folder) / "lora", prompt, seed=seed,
                             steps=self.settings.image_hub_steps, size=self.settings.image_lora_resolution)
                for seed in seeds]

    def steering(self, folder: Path) -> list[str]:
        """The words a prompt can steer this model with (embedded: its tags; hub: none listed,
        the pretrained pipeline reads any prompt)."""
        if (Path(folder) / "generator.safetensors").exists():
            return self._embedded(folder)[0].vocabulary
        return []

    def forget(self, prefix: str) -> int:
        """Drop models loaded from files under `prefix`; returns how many."""
        gone = [key for key in self._models if key.startswith(prefix)]
        for key in gone:
            del self._models[key]
        if self._pipe is not None:
            from engine.image import hub

            gone += [None] * hub.forget(self._pipe, prefix)
        return len(gone)
