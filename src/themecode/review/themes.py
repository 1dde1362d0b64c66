"""Theme development figures: each theme with its codes, how many sampled cases each was applied
in and the share of the sample that is, and the codes in no theme yet (the inductive ones)."""

from __future__ import annotations

from dataclasses import dataclass

from themecode.store import Code, Store


@dataclass(frozen=True)
class CodeCount:
    """A live code with the sampled cases and extracts it was applied in."""

    code: Code
    cases: int
    extracts: int


@dataclass(frozen=True)
class ThemeSummary:
    """A live theme, its codes, and the sampled cases any of its codes was applied in."""

    theme: Code
    codes: tuple[CodeCount, ...]
    cases: int
    sample_cases: int

    @property
    def prevalence(self) -> float:
        """Share of the sampled cases with at least one of the theme's codes (0 with no sample)."""
        return self.cases / self.sample_cases if self.sample_cases else 0.0


@dataclass(frozen=True)
class ThemeOverview:
    """Every live theme in codebook order, the codes in none, and whose codings were counted."""

    themes: tuple[ThemeSummary, ...]
    unthemed: tuple[CodeCount, ...]
    sample_cases: int
    coder: str | None  # None: every coder's live codings

    @property
    def counted(self) -> str:
        """Whose codings the figures count, in words."""
        return f"codings by {self.coder}" if self.coder else "codings by every coder"


def review_status(theme: Code) -> str:
    """A theme's development state in words, for the report and the DOCX chapter."""
    if theme.reviewed_at:
        return f"Theme reviewed by {theme.reviewed_by or 'unknown'} on {theme.reviewed_at[:10]}."
    return "Candidate theme: not yet marked reviewed."


def theme_overview(store: Store, coder: str | None = None) -> ThemeOverview:
    """Case counts per code and theme over the sampled cases, from live codings of `coder`
    (every coder when None): a case counts once however many extracts it has."""
    where = "k.deleted = 0" + (" AND k.coder = ?" if coder else "")
    args = (coder,) if coder else ()
    base = ("FROM codings k JOIN documents d INDEXED BY idx_documents_order "  # case from index
            "ON d.id = k.document_id JOIN samples s ON s.case_id = d.case_id")
    per_code = {r[0]: (r[1], r[2]) for r in store.conn.execute(
        f"SELECT k.code_id, count(DISTINCT d.case_id), count(*) {base} WHERE {where} "
        "GROUP BY k.code_id", args)}
    per_theme = dict(store.conn.execute(
        f"SELECT c.parent, count(DISTINCT d.case_id) {base} JOIN codes c ON c.id = k.code_id "
        f"WHERE {where} AND c.parent IS NOT NULL GROUP BY c.parent", args).fetchall())
    n_sample = store.conn.execute("SELECT count(*) FROM samples").fetchone()[0]
    codes = store.codes()
    themes = [c for c in codes if c.kind == "theme"]
    theme_ids = {t.id for t in themes}

    def count(c: Code) -> CodeCount:
        cases, extracts = per_code.get(c.id, (0, 0))
        return CodeCount(c, cases, extracts)

    summaries = tuple(
        ThemeSummary(t, tuple(count(c) for c in codes if c.kind == "code" and c.parent == t.id),
                     per_theme.get(t.id, 0), n_sample)
        for t in themes)
    unthemed = tuple(count(c) for c in codes if c.kind == "code" and c.parent not in theme_ids)
    return ThemeOverview(summaries, unthemed, n_sample, coder)
