"""The base of a personal image model under the settings' profile, as recorded on each version."""

from dataclasses import dataclass

EMBEDDED_ID = "signature/flow-matching-64px+upsampler"


@dataclass(frozen=True)
class ImageSpec:
    model_id: str
    revision: str


def spec_for(settings) -> ImageSpec:
    """embedded: no pretrained weights (each designer's generator is trained from scratch; the
    revision is the diffusers release that builds it); hub: the pretrained pipeline's id and
    revision from the settings."""
    if settings.profile == "hub":
        return ImageSpec(settings.image_model_id, settings.image_model_revision)
    from importlib.metadata import version

    return ImageSpec(EMBEDDED_ID, f"diffusers {version('diffusers')}")
