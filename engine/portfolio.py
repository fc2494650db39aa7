"""Storing validated portfolio files under the data dir, together with their database row."""

import os
import shutil
import tempfile
from pathlib import Path

from engine.errors import InvalidInput
from engine.uploads import check_upload
from storage import portfolio as portfolio_rows


def store_item(db, settings, seller_id: int, modality: str, upload_path: str | Path,
               filename: str, title: str = "", caption: str = "", brief: str = "",
               held_out: bool = False) -> dict:
    """Validate an upload and store it as the seller's portfolio item.

    Either both the file and its row exist afterwards, or neither does.
    """
    checked = check_upload(upload_path, filename, settings, expected_modality=modality)
    duplicate = portfolio_rows.find_by_hash(db, seller_id, checked.sha256)
    if duplicate:
        raise InvalidInput(f"'{Path(filename).name}' is already in your portfolio "
                           f"(as '{duplicate['title'] or duplicate['id']}').")
    folder = settings.portfolio_dir / str(seller_id)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{checked.sha256[:20]}{checked.extension}"
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
    os.close(fd)
    try:
        shutil.copyfile(upload_path, tmp)
        os.replace(tmp, final)
        caption = caption or (checked.text or "")[:280]
        return portfolio_rows.add_item(
            db, seller_id, modality, str(final.relative_to(settings.data_dir)), checked.sha256,
            checked.size_bytes, checked.media_type, title=title or Path(filename).stem,
            caption=caption, brief=brief, width=checked.width, height=checked.height,
            duration_s=checked.duration_s, sample_rate=checked.sample_rate, held_out=held_out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        final.unlink(missing_ok=True)
        raise


def remove_item(db, settings, item: dict) -> None:
    """Delete an item's row and its file."""
    portfolio_rows.delete_item(db, item["id"])
    (settings.data_dir / item["file_path"]).unlink(missing_ok=True)
