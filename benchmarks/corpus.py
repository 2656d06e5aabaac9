"""Deterministic synthetic archive of General Assembly resolutions, in French.

    python benchmarks/corpus.py [N] [--seed S] [--data-dir DIR] [--workers W]
    python benchmarks/corpus.py --check 200      # parse a sample with the real parser
    python benchmarks/corpus.py --stats 5000     # word forms against tokens (Heaps' law)

Writes ``DIR/archive-sS/A-RES-<session>-<number>.fr.txt`` plus ``manifest.jsonl``
(one line per file, in generation order: path, symbol, session, layout and the
paragraph references that were generated, i.e. what the parser must find).

Design
------
* File ``i`` depends only on (seed, i): the archive of N files is the first N
  files of any larger archive, so one generation of 22,000 serves every size,
  and generation runs in parallel.
* (session, number) slots: sessions 1 to 80 with historical-looking weights
  (fewer resolutions in the early sessions), numbered 1..k per session, unique
  and then shuffled with the seed, so any prefix spreads over all sessions.
  Year ~ 1945 + session.
* Material comes from the five seed resolutions bundled with the package:
  paragraph counts and lengths (words) per kind are drawn from the seeds'
  distributions; bodies are recombined from the seeds' clauses, with numbers,
  dates, resolution citations (``sa résolution 64/222 du 21 décembre 2009``,
  always of an earlier session) and document symbols (``A/68/212``) varied.
* Vocabulary keeps growing with size: some content words are replaced by
  pronounceable accented pseudo-words drawn from an unbounded lexicon with a
  power-law (Zipf-like) rank distribution, with inflected variants. Distinct
  word forms then grow like a power of the token count (Heaps' law); about
  100,000 forms at 22,000 resolutions (``--stats`` prints the curve).
* Three layouts, as the seeds: Markdown (68/230, 75/234: ``#`` headings,
  ``*verbs*``, ``[64/222](#)`` links, ``<sup>n</sup>`` notes, footnote blocks
  in mid-paragraph), Markdown-like plain text (71/318: superscript digit
  notes) and PDF text (57/263, 64/1: no header, hard wraps with leading and
  trailing spaces, note numbers glued to words, footnote blocks after
  ``_______________`` at page breaks, in mid-paragraph, ``Sud-``/``Sud``
  split across lines). Older sessions are more often PDF text.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from multiprocessing import Pool
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE / "data"
DEFAULT_N = 22_000
DEFAULT_SEED = 2024
SESSIONS = 80
SEED_DIR = HERE.parent / "src" / "resosearch" / "corpus"

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
    "septembre", "octobre", "novembre", "décembre",
]
DAYS_IN = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

# ---------------------------------------------------------------------------
# French numerals (sessions in words: "Soixante-huitième session")

_UNITS = [
    "", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
    "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit",
    "dix-neuf",
]
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def cardinal(n: int) -> str:
    """French cardinal, 1..99 (1990 spelling without hyphen-everywhere)."""
    if n < 20:
        return _UNITS[n]
    if n < 70:
        tens, unit = divmod(n, 10)
        word = _TENS[tens]
        if unit == 0:
            return word
        if unit == 1:
            return f"{word} et un"
        return f"{word}-{_UNITS[unit]}"
    if n < 80:
        unit = n - 60
        return "soixante et onze" if unit == 11 else f"soixante-{_UNITS[unit]}"
    if n == 80:
        return "quatre-vingts"
    return f"quatre-vingt-{_UNITS[n - 80]}"


def ordinal(n: int) -> str:
    """Feminine ordinal: 1 -> "première", 68 -> "soixante-huitième"."""
    if n == 1:
        return "première"
    word = cardinal(n)
    if word.endswith("quatre-vingts"):
        word = word[:-1]
    if word.endswith("cinq"):
        return word + "uième"
    if word.endswith("neuf"):
        return word[:-1] + "vième"
    if word.endswith("e"):
        word = word[:-1]
    return word + "ième"


ORDINAL_COMMITTEE = ["Première", "Deuxième", "Troisième", "Quatrième", "Cinquième", "Sixième"]

# ---------------------------------------------------------------------------
# Verbs

PP_VERBS = [
    "Réaffirmant", "Rappelant", "Soulignant", "Prenant note", "Considérant",
    "Notant avec préoccupation", "Notant", "Reconnaissant", "Constatant",
    "Accueillant avec satisfaction", "Saluant", "Réitérant", "Gardant à l'esprit",
    "Tenant compte", "Convaincue", "Consciente", "Profondément préoccupée",
    "Prenant acte", "Se félicitant", "Affirmant", "Insistant", "Sachant",
    "Ayant examiné", "Notant avec satisfaction", "Exprimant", "Guidée",
]
PP_WEIGHTS = [
    9, 9, 7, 6, 5, 4, 5, 5, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 2, 1, 1,
]
OP_VERBS = [
    "Décide", "Prie", "Invite", "Encourage", "Prend note", "Réaffirme", "Souligne",
    "Demande", "Engage", "Salue", "Reconnaît", "Considère", "Constate", "Rappelle",
    "Prend acte", "Recommande", "Exhorte", "Se félicite", "Insiste", "Note",
    "Accueille avec satisfaction", "Exprime", "Approuve", "Appelle", "Condamne",
    "Remercie", "Affirme", "Souligne également",
]
OP_WEIGHTS = [
    10, 10, 8, 8, 6, 6, 6, 6, 5, 4, 4, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1,
]
ADVERBS = ["également", "en outre", "de nouveau", "aussi"]
ADVERB_WEIGHTS = [6, 4, 1, 1]

TOPICS = [
    "Coopération Sud-Sud", "Question de Palestine", "Droits de l'homme et extrême pauvreté",
    "Océans et droit de la mer", "Désarmement général et complet",
    "Activités opérationnelles de développement", "Mondialisation et interdépendance",
    "Élimination du racisme et de la discrimination raciale",
    "Promotion et protection des droits de l'enfant", "Assistance humanitaire d'urgence",
    "Développement durable", "Financement du développement", "Sécurité routière mondiale",
    "Culture de paix", "Prévention du crime et justice pénale",
    "Coopération internationale dans l'utilisation pacifique de l'espace",
    "Situation des droits de l'homme", "Commerce international et développement",
    "Question de la décolonisation", "Santé mondiale et politique étrangère",
    "Élimination de la violence à l'égard des femmes", "Technologies de l'information",
    "Réduction des risques de catastrophe", "Pays les moins avancés", "Migrations internationales",
    "Budget-programme de l'exercice biennal", "Barème des quotes-parts",
    "Opérations de maintien de la paix", "Terrorisme international",
    "Armes légères et de petit calibre", "Sécurité alimentaire et nutrition",
    "Diversité biologique", "Changements climatiques", "Désertification",
    "Eau potable et assainissement", "Éducation pour tous", "Population et développement",
    "Peuples autochtones", "Vieillissement", "Jeunesse", "Personnes handicapées",
]

# Words a pseudo-word never replaces (grammar, frequent UN vocabulary kept
# stable so that common-word queries stay common).
PROTECTED = set(
    """
    assemblée générale nations unies résolution résolutions session conférence
    coopération développement programme secrétaire général états membres rapport
    conseil comité commission durable internationale international mise œuvre
    organisation système pays ressources notamment également ainsi particulier
    cadre entre contre dans pour avec sans sous leurs leur cette celle celui ceux
    elles elle ils qu'il qu'elle d'une d'un l'organisation l'assemblée
    """.split()
)

# ---------------------------------------------------------------------------
# Seed material


@dataclass
class Material:
    pp_lengths: list[int] = field(default_factory=list)
    op_lengths: list[int] = field(default_factory=list)
    sub_lengths: list[int] = field(default_factory=list)
    pp_counts: list[int] = field(default_factory=list)
    op_counts: list[int] = field(default_factory=list)
    openers: list[str] = field(default_factory=list)
    pp_openers: list[str] = field(default_factory=list)
    clauses: list[str] = field(default_factory=list)
    sub_openers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)


_SUP_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_PARTICIPLE_START = re.compile(
    r"(?<=,)\s+(?=(?:[A-ZÉ][a-zéèêëïîôûç]+(?:ant|ée)\b|Consciente|Convaincue|Prenant|Notant))"
)
_OP_START = re.compile(r"(?<=[;:,.])\s+(?=\d{1,2}\.\s+[A-ZÉ])")
_SUB_START = re.compile(r"(?<=[;:])\s+(?=(?:[a-h]|[iv]{1,3})\)\s)")


def _clean_seed(text: str) -> tuple[str, list[str], str]:
    """Body stream (from "L'Assemblée générale," to the closing), notes, title."""
    text = text.replace("\u2019", "'").replace("\u00a0", " ")
    lines = text.splitlines()
    body: list[str] = []
    notes: list[str] = []
    in_notes = False
    note_line = re.compile(r"^(?:<sup>\d+</sup>|[" + _SUP_DIGITS + r"]+|\d+) (?=\S)")
    for line in lines:
        raw = line.rstrip()
        if raw.startswith("____") or raw.strip() == "---":
            in_notes = True
            continue
        if in_notes and raw and not raw.startswith(" "):
            m = note_line.match(raw)
            if m:
                notes.append(raw[m.end():].strip())
            elif notes:
                notes[-1] += " " + raw.strip()
            continue
        in_notes = False
        m = note_line.match(raw)
        if m and (raw.startswith("<sup>") or raw[0] in _SUP_DIGITS):
            notes.append(raw[m.end():].strip())
            continue
        body.append(raw.strip())
    stream = " ".join(part for part in body if part)
    stream = re.sub(r"\[([^\]]+)\]\(#\)", r"\1", stream)
    stream = re.sub(r"<sup>\w+</sup>", "", stream)
    stream = re.sub(r"[" + _SUP_DIGITS + r"]+|\^e\^?", "", stream)
    stream = stream.replace("*", "").replace("#", "")
    stream = re.sub(r"(?<=[a-zé])\d(?=[\s,;.])", "", stream)  # glued note numbers
    stream = re.sub(r"\b((?:19|20)\d\d|\d{2}/\d{3})\d(?=[\s,;.])", r"\1", stream)
    stream = re.sub(r"(?<=[a-zé]) \d{1,2} ?(?=[,;](?:\s|$))", "", stream)
    stream = re.sub(r"(Sud-) (Sud)", r"\1\2", stream)
    stream = re.sub(r"\s+", " ", stream)
    title = ""
    m = re.search(r"\b\d{2}/\d{1,3}\. (.+?) L'Assemblée générale", stream)
    if m:
        title = m.group(1).strip()
    start = stream.find("L'Assemblée générale,")
    end = stream.rfind("séance plénière")
    stream = stream[start + len("L'Assemblée générale,"): end if end > 0 else None]
    stream = re.sub(r"\s*\d+\s*e?\s*$", "", stream.strip())
    return stream.strip(), notes, title


def _split_clauses(body: str) -> list[str]:
    parts = re.split(r"\s*[,;:]\s+|\s+;\s*", body)
    return [p.strip() for p in parts if len(p.split()) >= 3]


@lru_cache(maxsize=1)
def load_material() -> Material:
    mat = Material()
    for path in sorted(SEED_DIR.glob("*.txt")):
        stream, notes, title = _clean_seed(path.read_text(encoding="utf-8"))
        notes = [re.sub(r"\[([^\]]+)\]\(#\)", r"\1", n).replace("*", "") for n in notes]
        mat.notes.extend(n for n in notes if len(n) > 4)
        if title:
            mat.titles.append(title)
        first_op = re.search(r"(?:^|\s)1\.\s+[A-ZÉ]", stream)
        preamble = stream[: first_op.start()] if first_op else stream
        operative = stream[first_op.start():] if first_op else ""
        pps = [p.strip() for p in _PARTICIPLE_START.split(preamble) if p.strip()]
        mat.pp_counts.append(len(pps))
        for pp in pps:
            mat.pp_lengths.append(len(pp.split()))
            words = pp.rstrip(",").split()
            body = " ".join(words[1:])
            for verb in PP_VERBS:  # strip multiword participles
                if pp.startswith(verb + " "):
                    body = pp[len(verb) + 1:].rstrip(",")
                    break
            body = re.sub(r"^(?:également|en outre|avec \w+) ", "", body)
            clauses = _split_clauses(body)
            if clauses:
                mat.pp_openers.append(clauses[0])
                mat.clauses.extend(clauses[1:])
        ops = [p.strip() for p in _OP_START.split(operative) if p.strip()]
        mat.op_counts.append(len(ops))
        for op in ops:
            pieces = _SUB_START.split(op)
            head = re.sub(r"^\d+\.\s+", "", pieces[0])
            mat.op_lengths.append(len(head.split()))
            words = head.split()
            body = " ".join(words[1:])
            for verb in OP_VERBS:
                if head.startswith(verb + " "):
                    body = head[len(verb) + 1:]
                    break
            body = re.sub(r"^(?:également|en outre) ", "", body)
            clauses = _split_clauses(body.rstrip(" ;.:"))
            if clauses:
                mat.openers.append(clauses[0])
                mat.clauses.extend(clauses[1:])
            for sub in pieces[1:]:
                text = re.sub(r"^\S+\)\s+", "", sub).rstrip(" ;.:")
                mat.sub_lengths.append(len(text.split()))
                mat.sub_openers.extend(_split_clauses(text)[:1] or [text])
    mat.titles.extend(TOPICS)
    return mat


# ---------------------------------------------------------------------------
# Pseudo-words: an unbounded lexicon, rank -> pronounceable accented form

_ONSETS = [
    "b", "c", "d", "f", "g", "j", "l", "m", "n", "p", "r", "s", "t", "v", "ch", "br",
    "cr", "dr", "fr", "gr", "pr", "tr", "b", "c", "d", "l", "m", "n", "p", "r", "s", "t",
]
_NUCLEI = [
    "a", "e", "é", "è", "i", "o", "u", "ou", "ai", "au", "eau", "on", "an", "in", "ê",
    "â", "ô", "eu", "oi", "ié",
]
_CODAS = ["", "", "", "", "", "", "r", "l", "n", "s"]
_SUFFIXES = [
    "tion", "ment", "isme", "ique", "ité", "ier", "eur", "ence", "age", "ure", "iste",
    "oire", "elle", "ance", "ain", "ette", "ois", "ade",
]
_VARIANTS = ["", "", "", "", "s", "e", "es", "ement", "ation", "ions", "aient", "ée", "ées"]

# Pareto tail of the rank distribution: P(rank >= r) = r ** -ALPHA. With
# ALPHA < 1 the number of distinct ranks seen grows like tokens ** (1 / (1 + ALPHA)).
ALPHA = 0.27
PSEUDO_RATE = 0.07
RANK_SCALE = 30  # flattens the head: no pseudo-word is among the most common words  # fraction of eligible content words replaced


@lru_cache(maxsize=400_000)
def pseudo_stem(rank: int) -> str:
    rng = random.Random(rank * 7919 + 17)
    syllables = 1 + (rank % 3 == 0) + rng.choice((0, 1, 1))
    word = ""
    for k in range(syllables):
        onset = rng.choice(_ONSETS)
        if k == 0 and not onset:
            onset = rng.choice(("a", "é", "in", "o"))
        word += onset + rng.choice(_NUCLEI) + (rng.choice(_CODAS) if k < syllables - 1 else "")
    return word + rng.choice(_SUFFIXES)


def pseudo_word(rng: random.Random) -> str:
    u = rng.random()
    rank = 1 + int(RANK_SCALE * (u ** (-1.0 / ALPHA) - 1.0))
    stem = pseudo_stem(rank)
    variant = _VARIANTS[(rank * 31 + int(rng.random() * 4)) % len(_VARIANTS)] if rank % 5 else ""
    if variant and stem[-1] == "e" and variant[0] == "e":
        variant = variant[1:]
    return stem + variant


# ---------------------------------------------------------------------------
# Slots: (session, number) for file i


def session_weights() -> list[float]:
    """Resolutions per session, shaped like the archive: few early, a peak in the 1970s-2000s."""
    weights = []
    for s in range(1, SESSIONS + 1):
        if s <= 10:
            w = 90 + 8 * s
        elif s <= 30:
            w = 170 + 6 * (s - 10)
        elif s <= 60:
            w = 300 + 3 * math.sin(s)
        else:
            w = 300 - 2 * (s - 60)
        weights.append(w)
    return weights


@lru_cache(maxsize=4)
def slots(total: int, seed: int) -> list[tuple[int, int]]:
    weights = session_weights()
    scale = total / sum(weights)
    counts = [max(1, int(w * scale)) for w in weights]
    k = 0
    while sum(counts) < total:
        counts[(k * 37) % SESSIONS] += 1
        k += 1
    out = [(s + 1, n) for s, c in enumerate(counts) for n in range(1, c + 1)]
    random.Random(seed).shuffle(out)
    return out


@lru_cache(maxsize=4)
def session_sizes(total: int, seed: int) -> dict[int, int]:
    sizes: dict[int, int] = {}
    for s, n in slots(total, seed):
        sizes[s] = max(sizes.get(s, 0), n)
    return sizes


# ---------------------------------------------------------------------------
# One resolution


@dataclass
class Para:
    kind: str  # "pp", "op", "sub", "subsub"
    ref: str
    verb: str | None
    text: str  # clean text, with {n} placeholders replaced by note markers later
    notes: list[int] = field(default_factory=list)  # note numbers after which word index


_VARY = re.compile(
    r"(?P<doc>\bA/\d+/(?:L\.)?\d+(?:/Add\.\d+)?)"
    r"|(?P<sym>\b\d{1,2}/\d{1,3}(?: [A-Z]\b)?)"
    r"|(?P<date>\b(?:1er|\d{1,2}) (?:" + "|".join(MONTHS) + r") \d{4})"
    r"|(?P<year>\b(?:19|20)\d\d\b)"
    r"|(?P<num>(?<![/.\w])\d+(?:,\d+)?\b(?![/.]\d)(?! (?:" + "|".join(MONTHS) + r")))"
)


def _date(rng: random.Random, year: int, month: int | None = None) -> tuple[int, int, int]:
    m = month or rng.randint(1, 12)
    d = rng.randint(1, DAYS_IN[m - 1])
    return d, m, year


def fmt_date(d: tuple[int, int, int]) -> str:
    day = "1er" if d[0] == 1 else str(d[0])
    return f"{day} {MONTHS[d[1] - 1]} {d[2]}"


class Generator:
    def __init__(self, index: int, total: int, seed: int):
        self.index = index
        self.seed = seed
        self.rng = random.Random(seed * 1_000_003 + index)
        self.session, self.number = slots(total, seed)[index]
        self.sizes = session_sizes(total, seed)
        self.year = 1945 + self.session
        self.mat = load_material()
        rng = self.rng
        if self.session < 55:
            self.layout = rng.choices(["pdf", "md", "plain"], [6, 2, 2])[0]
        else:
            self.layout = rng.choices(["pdf", "md", "plain"], [3, 5, 2])[0]
        self.notes: list[str] = []

    # -- small pieces -------------------------------------------------------
    def earlier_symbol(self) -> str:
        rng = self.rng
        s = rng.randint(max(1, self.session - 25), max(1, self.session - 1)) if self.session > 1 else 1
        n = rng.randint(1, self.sizes.get(s, 100))
        if s == self.session and n >= self.number:
            n = max(1, self.number - 1)
        return f"{s}/{n}"

    def symbol_date(self, symbol: str) -> str:
        s = int(symbol.split("/")[0])
        return fmt_date(_date(self.rng, 1945 + s + self.rng.choice((0, 0, 0, 1)), 12 if self.rng.random() < 0.6 else None))

    def citation(self) -> str:
        rng = self.rng
        if rng.random() < 0.7:
            sym = self.earlier_symbol()
            return f"sa résolution {sym} du {self.symbol_date(sym)}"
        syms = sorted({self.earlier_symbol() for _ in range(rng.randint(2, 5))},
                      key=lambda x: tuple(map(int, x.split("/"))))
        parts = [f"{sym} du {self.symbol_date(sym)}" for sym in syms]
        return "ses résolutions " + ", ".join(parts[:-1]) + " et " + parts[-1]

    def doc_symbol(self) -> str:
        rng = self.rng
        s = max(1, self.session - rng.choice((0, 0, 1, 2)))
        base = f"A/{s}/{rng.randint(10, 900)}"
        r = rng.random()
        if r < 0.15:
            base += f"/Add.{rng.randint(1, 4)}"
        elif r < 0.2:
            base = f"A/{s}/L.{rng.randint(1, 90)}"
        return base

    def vary(self, text: str) -> str:
        rng = self.rng

        def swap(m: re.Match) -> str:
            if m.group("sym"):
                return self.earlier_symbol()
            if m.group("doc"):
                return self.doc_symbol()
            if m.group("date"):
                return fmt_date(_date(rng, rng.randint(max(1946, self.year - 20), self.year)))
            if m.group("year"):
                return str(rng.randint(max(1946, self.year - 30), self.year + 5))
            return str(rng.randint(2, 500)) if rng.random() < 0.8 else m.group(0)

        text = _VARY.sub(swap, text)
        words = text.split(" ")
        for k, w in enumerate(words):
            core = w.strip(",;:.()«»")
            if (
                len(core) >= 6
                and core.isalpha()
                and core.islower()
                and core not in PROTECTED
                and rng.random() < PSEUDO_RATE
            ):
                words[k] = w.replace(core, pseudo_word(rng))
        return " ".join(words)

    def body(self, target: int, opener_pool: list[str]) -> str:
        rng = self.rng
        mat = self.mat
        if rng.random() < 0.18:
            parts = [self.citation()]
            if rng.random() < 0.5:
                parts[0] += rng.choice(
                    [", dans laquelle elle a", ", par laquelle elle a", ", intitulée « " + rng.choice(mat.titles) + " »"]
                ) + (" " + rng.choice(mat.clauses) if "intitulée" not in parts[0] else "")
        else:
            parts = [rng.choice(opener_pool)]
        count = len(parts[0].split())
        while count < target:
            clause = rng.choice(mat.clauses)
            joiner = rng.choices([", ", " et ", ", et ", ", notamment ", ", ainsi que "], [10, 3, 2, 1, 1])[0]
            if clause.startswith(("et ", "ainsi que ", "notamment ")):
                joiner = ", "
            parts.append(joiner + clause)
            count += len(clause.split()) + (joiner.count(" ") - 1)
            if rng.random() < 0.04:
                parts.append(f" ({self.doc_symbol()})")
            if rng.random() < 0.03:
                parts.append(f", à sa {ordinal(min(SESSIONS + 1, self.session + 1))} session")
        text = "".join(parts)
        text = self.vary(text)
        return text[0].lower() + text[1:] if text[:2] not in ("L'", "A/") and not text[:2].isupper() else text

    def length(self, pool: list[int]) -> int:
        return max(4, int(self.rng.choice(pool) * self.rng.uniform(0.6, 1.4)))

    def add_note(self) -> int:
        rng = self.rng
        if rng.random() < 0.35:
            text = self.doc_symbol() + rng.choice([".", ", annexe.", ", annexe I.", ""])
        elif rng.random() < 0.3:
            text = f"Résolution {self.earlier_symbol()}" + rng.choice([", annexe.", "."])
        else:
            text = self.vary(rng.choice(self.mat.notes))
        if not text.endswith("."):
            text += "."
        self.notes.append(text)
        return len(self.notes)

    # -- paragraphs ---------------------------------------------------------
    def paragraphs(self) -> list[Para]:
        rng = self.rng
        mat = self.mat
        n_pp = max(1, int(rng.choice(mat.pp_counts) * rng.uniform(0.5, 1.5)))
        n_op = max(1, int(rng.choice(mat.op_counts) * rng.uniform(0.5, 1.6)))
        out: list[Para] = []
        for k in range(1, n_pp + 1):
            verb = rng.choices(PP_VERBS, PP_WEIGHTS)[0]
            lead = verb
            if out and out[-1].verb and out[-1].verb.split()[0] == verb.split()[0] and rng.random() < 0.8:
                lead = verb + " " + rng.choices(ADVERBS, ADVERB_WEIGHTS)[0]
            body = self.body(self.length(mat.pp_lengths), mat.pp_openers)
            out.append(Para("pp", f"PP{k}", verb, f"{lead} {body},"))
        for k in range(1, n_op + 1):
            verb = rng.choices(OP_VERBS, OP_WEIGHTS)[0]
            lead = verb
            if rng.random() < 0.12:
                lead = verb + " " + rng.choices(ADVERBS, ADVERB_WEIGHTS)[0]
            last = k == n_op
            body = self.body(self.length(mat.op_lengths), mat.openers)
            if rng.random() < 0.1 and not last:
                body = body.rstrip(" ,") + f" de lui présenter, à sa {ordinal(min(SESSIONS + 1, self.session + 1))} session, un rapport sur l'application de la présente résolution"
            has_subs = rng.random() < 0.09
            if has_subs:
                out.append(Para("op", f"OP{k}", verb, f"{lead} {body} :"))
                n_sub = rng.randint(2, 6)
                for j in range(n_sub):
                    letter = "abcdefghijklmnopqrstuvwxyz"[j]
                    sub_last = j == n_sub - 1
                    text = self.body(self.length(mat.sub_lengths), mat.sub_openers)
                    text = text[0].upper() + text[1:]
                    has_subsub = rng.random() < 0.12 and not sub_last
                    end = " :" if has_subsub else (" ." if False else (".") if (last and sub_last) else " ;")
                    out.append(Para("sub", f"OP{k}({letter})", None, text + end))
                    if has_subsub:
                        romans = ["i", "ii", "iii", "iv", "v"]
                        for r in range(rng.randint(2, 4)):
                            t = self.body(self.length(mat.sub_lengths), mat.sub_openers)
                            t = t[0].upper() + t[1:]
                            out.append(Para("subsub", f"OP{k}({letter})({romans[r]})", None, t + " ;"))
            else:
                out.append(Para("op", f"OP{k}", verb, f"{lead} {body}" + ("." if last else " ;")))
        # Footnote markers: after some words of some paragraphs.
        for p in out:
            if rng.random() < 0.22:
                words = p.text.split(" ")
                for _ in range(1 if rng.random() < 0.8 else 2):
                    pos = rng.randrange(2, max(3, len(words) - 1))
                    p.notes.append(pos)
                p.notes = sorted(set(p.notes))
        return out

    # -- layouts --------------------------------------------------------------
    def render(self) -> tuple[str, list[Para], dict]:
        rng = self.rng
        paras = self.paragraphs()
        adopted = _date(rng, self.year, rng.choices([9, 10, 11, 12, 1, 3, 6, 7], [1, 1, 2, 8, 0.5, 0.5, 0.5, 0.5])[0])
        if adopted[1] < 9:
            adopted = (adopted[0], adopted[1], adopted[2] + 1)
        dist_m = adopted[1] % 12 + 1
        distributed = _date(rng, adopted[2] + (1 if dist_m < adopted[1] else 0), dist_m)
        meeting = rng.randint(1, 110)
        item = rng.randint(2, 180)
        agenda = rng.choice([f"Point {item}", f"Point {item}, {rng.choice('abcd')}, ", f"Point {item} {rng.choice('abcd')})"])
        agenda = agenda.rstrip(", ") + (", de l'ordre du jour" if agenda.endswith(", ") else " de l'ordre du jour")
        c = rng.randint(0, 5)
        report = (
            f"[sur la base du rapport de la {ORDINAL_COMMITTEE[c]} Commission ({self.doc_symbol()})]"
            if rng.random() < 0.8
            else f"[sans renvoi à une grande commission (A/{self.session}/L.{rng.randint(1, 90)})]"
        )
        title = self.vary(rng.choice(self.mat.titles)) if rng.random() < 0.3 else rng.choice(self.mat.titles)
        meta = {
            "symbol": f"A/RES/{self.session}/{self.number}",
            "number": f"{self.session}/{self.number}",
            "session": self.session,
            "adopted": f"{adopted[2]:04d}-{adopted[1]:02d}-{adopted[0]:02d}",
            "layout": self.layout,
            "title": title,
        }
        # Assign note numbers in reading order.
        marks: dict[int, list[tuple[int, int]]] = {}
        for pi, p in enumerate(paras):
            for pos in p.notes:
                marks.setdefault(pi, []).append((pos, self.add_note()))
        ctx = dict(adopted=adopted, distributed=distributed, meeting=meeting, agenda=agenda, report=report, title=title)
        if self.layout == "pdf":
            text = self.render_pdf(paras, marks, ctx)
        else:
            text = self.render_md(paras, marks, ctx, plain=self.layout == "plain")
        return text, paras, meta

    def _marked(self, p: Para, marks: list[tuple[int, int]], style: str) -> list[str]:
        words = p.text.split(" ")
        for pos, num in marks:
            if style == "sup":
                words[pos] += f"<sup>{num}</sup>"
            elif style == "uni":
                words[pos] += "".join(_SUP_DIGITS[int(d)] for d in str(num))
            else:  # glued (PDF): strip trailing punctuation first so "Sud-Sud2," reads as printed
                w = words[pos]
                tail = ""
                while w and w[-1] in ",;:.":
                    tail = w[-1] + tail
                    w = w[:-1]
                if w and (w[-1].isalpha() or (w[-4:].isdigit() and self.rng.random() < 0.3)):
                    words[pos] = w + str(num) + tail
                else:
                    words[pos] = w + " " + str(num) + tail
        return words

    def render_md(self, paras: list[Para], marks, ctx, plain: bool) -> str:
        rng = self.rng
        italic_pp = not plain and rng.random() < 0.5
        link = not plain and rng.random() < 0.8
        style = "uni" if plain else "sup"
        out: list[str] = []
        h = (lambda level, s: s) if plain else (lambda level, s: "#" * level + " " + s)
        br = "" if plain else "  "
        out.append("\n\n\n\n" + h(1, "Assemblée générale") + "\n")
        out.append(f"Distr. générale{br}\n{fmt_date(ctx['distributed'])}\n")
        sess = f"{ordinal(self.session).capitalize()} session"
        if not plain and rng.random() < 0.4:
            out.append(h(2, sess) + "\n")
            out.append(ctx["agenda"] + "\n")
            out.append(h(3, ctx["title"]) + "\n")
        else:
            out.append(f"{sess}{br}\n{ctx['agenda']}\n")
        out.append(h(2, f"Résolution adoptée par l'Assemblée générale le {fmt_date(ctx['adopted'])}") + "\n")
        out.append(ctx["report"] + "\n")
        out.append(h(3, f"{self.session}/{self.number}. {ctx['title']}") + "\n")
        out.append("*L'Assemblée générale,*\n" if italic_pp else "L'Assemblée générale,\n")
        pending: list[int] = []
        since_break = 0
        for pi, p in enumerate(paras):
            words = self._marked(p, marks.get(pi, []), style)
            pending.extend(num for _, num in marks.get(pi, []))
            if link:
                words = [re.sub(r"^(\d{1,2}/\d{1,3})([,;.]?)$", r"[\1](#)\2", w) for w in words]
            if p.verb and (p.kind == "op" or italic_pp):
                lead = len(p.verb.split())
                if len(words) > lead and words[lead] in ADVERBS:
                    lead += 1
                elif len(words) > lead + 1 and " ".join(words[lead:lead + 2]) in ADVERBS:
                    lead += 2
                words[0] = "*" + words[0]
                words[lead - 1] = words[lead - 1] + "*"
            prefix = ""
            if p.kind == "op":
                prefix = p.ref[2:] + ". "
            elif p.kind == "sub":
                prefix = p.ref[-2] + ") "
            elif p.kind == "subsub":
                prefix = p.ref.rsplit("(", 1)[1] + " "
            since_break += len(words)
            if pending and since_break > 250 and len(words) > 30 and rng.random() < 0.5:
                # Page break in mid-paragraph: notes printed between the halves.
                cut = rng.randrange(10, len(words) - 5)
                while cut < len(words) - 3 and not words[cut][:1].islower():
                    cut += 1
                if words[cut][:1].islower():
                    out.append(prefix + " ".join(words[:cut]) + "\n")
                    out.append(self._md_notes(pending, style) + "\n\n")
                    pending = []
                    since_break = 0
                    out.append(" ".join(words[cut:]) + "\n")
                    continue
            out.append(prefix + " ".join(words) + "\n")
            if pending and since_break > 350:
                out.append(self._md_notes(pending, style) + "\n\n")
                pending = []
                since_break = 0
        d = ctx["adopted"]
        if plain:
            closing = f"*{ctx['meeting']}^e^ séance plénière\n{fmt_date(d)}*"
        else:
            closing = f"{ctx['meeting']}<sup>e</sup> séance plénière  \n{fmt_date(d)}"
        if pending:
            if rng.random() < 0.5 and not plain:
                out.append(closing + "\n\n---\n")
                out.append(self._md_notes(pending, style))
                return "\n".join(out)
            out.append(self._md_notes(pending, style) + "\n")
        out.append(closing)
        return "\n".join(out)

    def _md_notes(self, nums: list[int], style: str) -> str:
        lines = []
        for n in nums:
            mark = f"<sup>{n}</sup>" if style == "sup" else "".join(_SUP_DIGITS[int(d)] for d in str(n))
            note = self.notes[n - 1]
            note = re.sub(r"^(A/\d+/(?:L\.)?\d+(?:/Add\.\d+)?)", r"[\1](#)", note) if style == "sup" else note
            lines.append(f"{mark} {note}")
        return "\n\n".join(lines)

    def render_pdf(self, paras: list[Para], marks, ctx) -> str:
        rng = self.rng
        width = rng.randint(78, 90)
        lines: list[str] = []
        page_lines = rng.randint(38, 46)
        pending: list[int] = []
        count = [0]

        def wrap(first_prefix: str, words: list[str], note: bool = False) -> list[str]:
            res = []
            cur = first_prefix
            for w in words:
                # A note's continuation line never starts with what reads as a new note ("5 ", "I.").
                keep = note and re.fullmatch(r"\d+|[IVX]+\.?|\(?\d+.*", w)
                if len(cur) + len(w) + 1 > width and cur.strip() and not keep:
                    if "-" in w[1:-1] and w.startswith("Sud-") and rng.random() < 0.5:
                        head, tail = w.split("-", 1)
                        sep = " " if cur.strip() and not cur.endswith(" ") else ""
                        res.append(cur + sep + head + "- ")
                        cur = tail
                        continue
                    res.append(cur + " ")
                    cur = w
                else:
                    cur = (cur + " " + w) if cur.strip() and not cur.endswith(" ") else cur + w
            res.append(cur + " ")
            return res

        def notes_block() -> list[str]:
            block = ["", "_______________ "]
            for n in pending:
                block.extend(wrap("", [str(n)] + self.notes[n - 1].split(), note=True))
            return block

        title = wrap(" ", f"{self.session}/{self.number}. {ctx['title']}".split())
        lines.extend(title)
        lines.extend(["", " ", " ", "", " L'Assemblée générale, ", ""])
        apostrophe = "\u2019" if rng.random() < 0.8 else "'"
        for pi, p in enumerate(paras):
            words = self._marked(p, marks.get(pi, []), "glued")
            words = [w.replace("'", apostrophe) for w in words]
            pending.extend(num for _, num in marks.get(pi, []))
            prefix = " "
            if p.kind == "op":
                prefix = " " + p.ref[2:] + ". "
            elif p.kind == "sub":
                prefix = " " + p.ref[-2] + ") "
            elif p.kind == "subsub":
                prefix = " " + p.ref.rsplit("(", 1)[1] + " "
            end_alone = None
            if words[-1] in (";", ".") and words[-2][-1:].isdigit() and rng.random() < 0.6:
                end_alone = words.pop()
            plines = wrap(prefix, words)
            for k, line in enumerate(plines):
                lines.append(line)
                count[0] += 1
                if count[0] >= page_lines and pending and 0 < k < len(plines) - 1:
                    nxt = plines[k + 1]
                    if nxt[:1].islower():
                        lines.extend(notes_block())
                        pending = []
                        count[0] = 0
                        plines[k + 1] = " " + nxt
            if end_alone:
                lines.extend(["", f" {end_alone} "])
            lines.append("")
            count[0] += 1
            if count[0] >= page_lines and pending and pi < len(paras) - 1:
                lines.extend(notes_block()[1:])
                pending = []
                count[0] = 0
                lines.append("")
        d = ctx["adopted"]
        lines.extend([" ", "", f"{ctx['meeting']}e séance plénière ", f"{fmt_date(d)} ", ""])
        if pending:
            lines.extend(notes_block()[1:])
        return "\n".join(lines) + "\n"


def generate_one(args: tuple[int, int, int, str]) -> dict:
    index, total, seed, folder = args
    gen = Generator(index, total, seed)
    text, paras, meta = gen.render()
    name = f"A-RES-{gen.session}-{gen.number}.fr.txt"
    path = Path(folder) / name
    data = text.encode("utf-8")
    path.write_bytes(data)
    meta.update(
        index=index,
        path=name,
        bytes=len(data),
        refs=[p.ref for p in paras],
        kinds=[p.kind for p in paras],
        verbs=[p.verb for p in paras],
        texts=[re.sub(r"\s+", " ", p.text) for p in paras],
        notes=len(gen.notes),
    )
    return meta


def archive_dir(data_dir: Path, seed: int) -> Path:
    return Path(data_dir) / f"archive-s{seed}"


def generate(n: int, data_dir: Path = DEFAULT_DATA, seed: int = DEFAULT_SEED, workers: int | None = None,
             quiet: bool = False) -> Path:
    """Generate (or extend) the archive so that it holds at least n files; return its folder.

    The manifest lists files in generation order; the first n lines are the archive of size n.
    """
    folder = archive_dir(data_dir, seed)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "manifest.jsonl"
    total = max(n, DEFAULT_N)
    have = 0
    info = folder / "archive.json"
    if manifest.exists() and info.exists():
        meta = json.loads(info.read_text())
        if meta.get("total") == total and meta.get("seed") == seed and meta.get("version") == FORMAT_VERSION:
            with manifest.open() as fh:
                have = sum(1 for _ in fh)
        else:
            manifest.unlink()
    if have >= n:
        return folder
    info.write_text(json.dumps({"total": total, "seed": seed, "version": FORMAT_VERSION}))
    t0 = time.perf_counter()
    jobs = [(i, total, seed, str(folder)) for i in range(have, n)]
    workers = workers or min(os.cpu_count() or 1, 4)
    with manifest.open("a", encoding="utf-8") as fh:
        if workers > 1 and len(jobs) > 50:
            with Pool(workers) as pool:
                for k, meta in enumerate(pool.imap(generate_one, jobs, chunksize=64)):
                    fh.write(json.dumps(meta, ensure_ascii=False) + "\n")
                    if not quiet and (k + 1) % 2000 == 0:
                        print(f"  {have + k + 1} files, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        else:
            for job in jobs:
                fh.write(json.dumps(generate_one(job), ensure_ascii=False) + "\n")
    if not quiet:
        print(f"generated {len(jobs)} files in {time.perf_counter() - t0:.1f} s -> {folder}", file=sys.stderr)
    return folder


FORMAT_VERSION = 1


def read_manifest(folder: Path, n: int) -> list[dict]:
    out = []
    with (Path(folder) / "manifest.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if len(out) >= n:
                break
            out.append(json.loads(line))
    if len(out) < n:
        raise SystemExit(f"{folder} holds {len(out)} files, {n} asked: generate first")
    return out


# ---------------------------------------------------------------------------
# Checks


def check(folder: Path, n: int, sample: int, seed: int = 0) -> int:
    """Parse a sample with the real parser; compare paragraph references and kinds."""
    try:
        from resosearch import parse_file  # type: ignore[attr-defined]
    except ImportError:
        print("resosearch.parse_file is not available yet: nothing to check against", file=sys.stderr)
        return 2
    entries = read_manifest(folder, n)
    rng = random.Random(seed)
    picked = entries if sample >= len(entries) else rng.sample(entries, sample)
    bad = 0
    total_paras = 0
    for meta in picked:
        path = Path(folder) / meta["path"]
        try:
            res = parse_file(path)
        except Exception as error:  # noqa: BLE001 - report every failure, go on
            bad += 1
            print(f"FAIL {meta['path']} ({meta['layout']}): {type(error).__name__}: {error}")
            continue
        refs = [p.ref for p in res.paragraphs]
        total_paras += len(refs)
        problems = []
        if refs != meta["refs"]:
            problems.append(f"{len(refs)} paragraphs parsed, {len(meta['refs'])} generated; first difference at "
                            + str(next((i for i, (a, b) in enumerate(zip(refs, meta['refs'], strict=False)) if a != b), min(len(refs), len(meta['refs'])))))
        if res.number != meta["number"]:
            problems.append(f"number {res.number!r} != {meta['number']!r}")
        if res.session != meta["session"]:
            problems.append(f"session {res.session!r} != {meta['session']!r}")
        if len(res.footnotes) != meta["notes"]:
            problems.append(f"{len(res.footnotes)} footnotes parsed, {meta['notes']} generated")
        if problems:
            bad += 1
            print(f"FAIL {meta['path']} ({meta['layout']}): " + "; ".join(problems))
    print(f"checked {len(picked)} files ({total_paras} paragraphs): {len(picked) - bad} ok, {bad} failed")
    return 1 if bad else 0


_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)


def stats(folder: Path, n: int) -> None:
    entries = read_manifest(folder, n)
    seen: set[str] = set()
    tokens = 0
    paragraphs = 0
    checkpoints = {int(n * f) for f in (0.01, 0.05, 0.1, 0.25, 0.5, 1.0)} | {n}
    raw = 0
    print("resolutions  paragraphs  tokens  word_forms")
    for k, meta in enumerate(entries, 1):
        raw += meta["bytes"]
        for text in meta["texts"]:
            paragraphs += 1
            for w in _WORD.findall(text.lower()):
                tokens += 1
                seen.add(w)
        if k in checkpoints:
            print(f"{k:11d}  {paragraphs:10d}  {tokens:6d}  {len(seen):10d}")
    lay = Counter(m["layout"] for m in entries)
    print(f"layouts: {dict(lay)}; raw bytes {raw:,}; paragraphs per resolution {paragraphs / n:.1f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", nargs="?", type=int, default=DEFAULT_N, help="number of resolutions (default 22000)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--check", type=int, metavar="SAMPLE", help="parse SAMPLE files with the real parser")
    ap.add_argument("--stats", action="store_true", help="print word forms against tokens")
    args = ap.parse_args(argv)
    folder = generate(args.n, args.data_dir, args.seed, args.workers)
    if args.stats:
        stats(folder, args.n)
    if args.check:
        return check(folder, args.n, args.check)
    return 0


if __name__ == "__main__":
    sys.exit(main())
