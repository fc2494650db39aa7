"""The base of a personal image model under the settings' profile, as recorded on each version."""

from dataclasses import dataclass

EMBEDDED_ID = "signature/flow-matching-64px+upsampler"


@dataclass(frozen=True)
class ImageSpec:
    model_id: str
    revision: str


def spec_for(settings) -> ImageSpec:
    """embedded: the house base (engine/image/house.py; the revision is the first 12 hex digits
    of its weights' SHA-256), or, with image_house_base off or the base missing, no pretrained
    weights (the revision is the diffusers release that builds the generator); hub: the
    pretrained pipeline's id and revision from the settings."""
    if settings.profile == "hub":
        return ImageSpec(settings.image_model_id, settings.image_model_revision)
    from engine.image import house

    if house.in_use(settings):
        return ImageSpec(house.BASE_ID, house.revision())
    from importlib.metadata import version

    return ImageSpec(EMBEDDED_ID, f"diffusers {version('diffusers')}")
