"""Textual coding UI of themecode (the only package that imports Textual).

Textual paints at most `TEXTUAL_FPS` frames a second (60 by default), so a key press can wait up
to one frame period before its result is drawn. The coding screen asks for 120 unless the user
set the variable: it halves that wait and costs nothing while the screen is idle.
"""

import os

os.environ.setdefault("TEXTUAL_FPS", "120")
