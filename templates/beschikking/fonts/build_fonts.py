"""Build the two letter fonts from the system's DejaVu Sans (Debian package fonts-dejavu-core).

    .venv/bin/python templates/beschikking/fonts/build_fonts.py [/usr/share/fonts/truetype/dejavu]

Why a bundled subset: WeasyPrint (without libharfbuzz-subset) subsets every embedded font
with fontTools on every PDF, which for the full DejaVu Sans (GPOS/GSUB/MATH tables, 6,000
glyphs) costs about a second per letter, and stamps the current time into the font, so two
renders differ. These fonts keep only the Latin letters and punctuation a Dutch letter and the
names in it need (see UNICODES), with no hinting and no layout tables (no kerning), and are
embedded whole (render_pdf uses full_fonts): fast, about 45 KiB per letter, and identical bytes
on every machine that has this repository. Renamed to "LKS Sans" as the Bitstream Vera licence requires for
modified fonts (see LICENSE-DejaVu.txt).
"""
from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

HERE = Path(__file__).resolve().parent
# Basic Latin, Latin-1, Latin Extended-A (Turkish, Polish, Czech, …), Romanian ș ț, general
# punctuation, €, ™ and the minus sign: 375 glyphs. A character outside this set still prints,
# from the system's DejaVu Sans, but then that whole font is embedded in the letter.
UNICODES = [*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x218, 0x21C),
            *range(0x2010, 0x2023), 0x2026, 0x2030, 0x2039, 0x203A, 0x20AC, 0x2122, 0x2212]
FONTS = {"DejaVuSans.ttf": ("lks-sans.ttf", "Regular"),
         "DejaVuSans-Bold.ttf": ("lks-sans-bold.ttf", "Bold")}
FAMILY = "LKS Sans"


def build(source_dir: Path) -> None:
    for source, (target, style) in FONTS.items():
        font = TTFont(source_dir / source, recalcTimestamp=False)
        options = subset.Options(layout_features=[], hinting=False, desubroutinize=True,
                                 notdef_outline=True, name_IDs=["*"], name_languages=["*"],
                                 drop_tables=subset.Options().drop_tables
                                 + ["GDEF", "GPOS", "GSUB", "FFTM", "MATH"])
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=UNICODES)
        subsetter.subset(font)
        names = font["name"]
        ps = f"{FAMILY.replace(' ', '')}-{style}"
        for record in list(names.names):
            if record.nameID in (1, 16):
                names.setName(FAMILY, record.nameID, record.platformID, record.platEncID, record.langID)
            elif record.nameID == 3:
                names.setName(f"{ps} (subset of DejaVu Sans)", 3, record.platformID,
                              record.platEncID, record.langID)
            elif record.nameID == 4:
                names.setName(f"{FAMILY} {style}".replace(" Regular", ""), 4, record.platformID,
                              record.platEncID, record.langID)
            elif record.nameID == 6:
                names.setName(ps, 6, record.platformID, record.platEncID, record.langID)
        font.save(HERE / target)
        print(HERE / target, (HERE / target).stat().st_size, "bytes")


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/dejavu"))
