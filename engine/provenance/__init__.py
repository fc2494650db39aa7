"""Provenance of generated outputs: invisible watermarks (images, speech), signed records, and
the Verify lookup that reads them back."""
