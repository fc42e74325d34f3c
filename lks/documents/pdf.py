"""What the PDFs of one process share: per stylesheet a WeasyPrint font configuration with
the bundled @font-face fonts registered once, and the stylesheet parsed once, instead of
both again for every letter or specificatie.

Not for concurrent use from several threads (WeasyPrint's font configuration is not
thread-safe): render in worker processes, or hold a lock around a render.
"""
from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=None)
def stylesheet(css_path: Path, base_url: str):
    """``(CSS, FontConfiguration)`` for a stylesheet file: parsed once per process, with its
    @font-face rules registered in a font configuration of its own (pass both to
    ``HTML.render(stylesheets=[css], font_config=config)``)."""
    from multiprocessing.util import Finalize

    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    # Remove its temporary font folder at exit. multiprocessing's Finalize also runs in pool
    # workers, which leave through os._exit and so skip atexit handlers.
    Finalize(None, _drop, args=(getattr(config, "_folder", None),), exitpriority=1)
    css = CSS(string=Path(css_path).read_text(encoding="utf-8"), base_url=base_url,
              font_config=config)
    return css, config


def _drop(folder: str | None) -> None:
    stylesheet.cache_clear()
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
