"""Draws the README's picture: the story picture of OpenAI as of 2025-06-15, the Scale AI chain (Meta's
link) bold, as `supplygraph brief` writes it (SVG), photographed by headless Chromium (graph.snapshot).

Run from the project's root against a graph holding the seed (`supplygraph load seed_data`):

    .venv/bin/python scripts/readme_picture.py [docs/img/story-openai-2025-06-15.png]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from graph import snapshot, story_svg

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img" / "story-openai-2025-06-15.png"
WIDTH = 1600  # pixels; the height follows the picture's own proportions


def main(out: Path = OUT) -> None:
    with tempfile.TemporaryDirectory() as work:
        picture_path = Path(work) / "story.svg"
        subprocess.run([sys.executable, "-m", "graph", "brief", "openai", "--as-of", "2025-06-15",
                        "--highlight", "meta", "-o", str(picture_path)], check=True, cwd=ROOT)
        picture = picture_path.read_text(encoding="utf-8")
    height = story_svg.frame_height(picture, WIDTH) - 16  # (the app's frame adds 16 px of margin)
    out.write_bytes(snapshot.html_to_png(story_svg.page(picture), width=WIDTH, height=height))
    print(f"wrote {out} ({WIDTH}x{height})")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
