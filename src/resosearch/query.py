"""Turn a user's query string into a Whoosh query over a resosearch index.

Whoosh's parser reads the syntax (AND/OR/NOT, -, "phrases"~N, prefix*,
fuzzy~, field:value, [A TO B]) against a schema whose fields keep the
user's words raw; :func:`compile_query` then rewrites each leaf with our
French analysis: a word becomes the stemmed terms of the ``text`` field
(alternatives at one position OR-ed) and, weighted lower, of the footnotes;
a phrase runs on the unstemmed ``exact`` field, where stop words keep their
place; prefixes and fuzzy terms expand over real words, capped.
"""

from __future__ import annotations

import fnmatch
import heapq
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from whoosh import fields as wfields
from whoosh import query as q
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.qparser import FuzzyTermPlugin, GtLtPlugin, QueryParser
from whoosh.reading import IndexReader

from resosearch.analysis import exact_analyzer, text_analyzer
from resosearch.build import normalize_number
from resosearch.errors import QueryError
from resosearch.models import normalize_ref
from resosearch.pairs import PAIRS_FIELDS, PairPhrase, pair_groups
from resosearch.schema import NOTES_WEIGHT, fold_keyword

# The word-pairs field of each positional field (see pairs.py).

MAX_QUERY_CHARS = 5000
# How many index terms a prefix, wildcard or fuzzy term may expand to.
MAX_EXPANSION = 64
# How many index terms a wildcard may scan before giving up on the rest.
MAX_SCAN = 50_000
# Longer phrases and fuzzy words, and deeper nesting, cost too much to match (seconds).
MAX_PHRASE_WORDS = 64
MAX_FUZZY_CHARS = 40
MAX_NESTING = 32
# No word is this long; Whoosh's parser takes a good part of a second on one.
MAX_WORD_CHARS = 200

# User-facing field names → what they search.
FIELD_ALIASES = {
    "text": "text",
    "notes": "notes",
    "footnote": "notes",
    "footnotes": "notes",
    "title": "title",
    "resolution": "number",
    "number": "number",
    "symbol": "number",
    "cites": "cites",
    "session": "session",
    "year": "year",
    "kind": "kind",
    "verb": "verb",
    "ref": "ref",
}
KIND_ALIASES = {
    "operative": "operative", "op": "operative", "operatif": "operative",
    "dispositif": "operative", "operational": "operative",
    "preambular": "preambular", "pp": "preambular", "preambule": "preambular",
    "preambulaire": "preambular", "preamble": "preambular",
}
RESOLUTION_NUMBER = re.compile(r"(?i)^(?:A/RES/)?(\d{1,3}/\d{1,4})(?:\s*([A-Z]))?$")
# A quoted phrase (left as it is), or a leading - or + (at the start of a
# word or phrase, so "Sud-Sud" stays one word).
_PHRASE = re.compile(r'"[^"]*"')
_SIGN = re.compile(_PHRASE.pattern + r'|(^|[\s(])(?:(-)(?=[^\s\-])|(\+)(?=\S))')
_FIELD_PREFIX = re.compile(r'(?<![\w/])([^\W\d_]\w*):(?=[^\s:/])')


TEXT_FIELDS = ("text", "notes", "title")


def _raw_schema() -> wfields.Schema:
    """Fields that keep the user's words raw: text fields split on spaces only
    (so a phrase keeps its words and slop), the others take the value whole."""
    return wfields.Schema(**{
        name: wfields.TEXT(analyzer=SpaceSeparatedTokenizer()) if name in TEXT_FIELDS
        else wfields.ID()
        for name in set(FIELD_ALIASES.values())
    })


_PARSER = QueryParser("text", _raw_schema())
_PARSER.add_plugin(FuzzyTermPlugin())
_PARSER.add_plugin(GtLtPlugin())


@dataclass
class CompiledQuery:
    """The Whoosh query, plus what the search layer needs to know about it."""

    query: q.Query
    words: list[str] = field(default_factory=list)  # plain words, for suggestions/proximity
    dropped: list[str] = field(default_factory=list)  # words that were only stop words
    negated: bool = False  # has a NOT: restrict to paragraph documents
    every: bool = False  # matches every paragraph (lone *)


def check_syntax(text: str) -> str:
    """Clean a raw query and reject malformed syntax with a helpful message."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS} "
            "(to find paragraphs like a long text, use `similar`)"
        )
    # Control characters are noise; typographic double quotes are quotes.
    text = "".join(" " if (ord(c) < 32 or 0x7F <= ord(c) < 0xA0) else c for c in text)
    text = text.replace("“", '"').replace("”", '"').replace("„", '"')
    if text.count('"') % 2:
        raise QueryError('unbalanced quote: close the phrase with " or remove the lone "')
    depth = 0
    # What is outside the phrases; each phrase stays as one (empty) token.
    outside = _PHRASE.sub('""', text)
    for char in outside:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise QueryError("unbalanced parenthesis: a ')' has no matching '('")
        if depth > MAX_NESTING:
            raise QueryError(f"parentheses nested more than {MAX_NESTING} deep")
    if depth:
        raise QueryError("unbalanced parenthesis: a '(' is never closed")
    for match in _FIELD_PREFIX.finditer(outside):
        name = fold_keyword(match.group(1))
        if name not in FIELD_ALIASES:
            known = ", ".join(sorted(k for k in FIELD_ALIASES if k not in ("footnote", "number", "symbol")))
            raise QueryError(f"unknown field '{match.group(1)}:' (fields: {known})")
    longest = max(text.split(), key=len, default="")
    if len(longest) > MAX_WORD_CHARS:
        raise QueryError(
            f"a word of {len(longest)} characters ({longest[:20]}…); the limit is {MAX_WORD_CHARS}"
        )
    tokens = outside.split()
    if tokens and tokens[-1] in ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"):
        raise QueryError(f"'{tokens[-1]}' at the end of the query needs a term after it")
    if tokens and tokens[0] in ("AND", "OR", "ANDNOT", "ANDMAYBE"):
        raise QueryError(f"'{tokens[0]}' at the start of the query needs a term before it")
    return text


def parse_raw(text: str) -> q.Query:
    """Whoosh's parse of the syntax, leaves still holding the user's words."""
    # Field names are case-insensitive for the user; the raw schema is lower case.
    text = _FIELD_PREFIX.sub(lambda m: FIELD_ALIASES.get(fold_keyword(m.group(1)), m.group(1)) + ":"
                             if fold_keyword(m.group(1)) in FIELD_ALIASES else m.group(0), text)
    # A leading - excludes a word or phrase, + requires it (as AND already does).
    text = _SIGN.sub(lambda m: m.group(0) if m.group(1) is None
                     else m.group(1) + ("NOT " if m.group(2) else ""), text)
    try:
        return _PARSER.parse(text)
    except Exception as error:  # whoosh's parser has no error type of its own
        raise QueryError(f"could not understand the query ({error})") from None


class Compiler:
    """Rewrites a raw parse into the real query, using ``reader`` for expansions."""

    def __init__(self, reader: IndexReader):
        self.reader = reader
        self.text = text_analyzer()
        self.exact = exact_analyzer()
        self.result = CompiledQuery(q.NullQuery)

    # -- analysis helpers -------------------------------------------------

    def _groups(self, analyzer: Callable, text: str) -> list[list[tuple[str, int, int]]]:
        """Tokens grouped by position: [[(term, startchar, endchar), …], …]."""
        groups: dict[int, list[tuple[str, int, int]]] = {}
        for token in analyzer(text, positions=True, chars=True, mode="query"):
            groups.setdefault(token.pos, []).append((token.text, token.startchar, token.endchar))
        return [groups[pos] for pos in sorted(groups)]

    @staticmethod
    def _any(fieldname: str, terms: list[str], boost: float = 1.0) -> q.Query:
        unique = list(dict.fromkeys(terms))
        if len(unique) == 1:
            return q.Term(fieldname, unique[0], boost=boost)
        return q.Or([q.Term(fieldname, t) for t in unique], boost=boost)

    def _sequence(self, fieldname: str, text: str, slop: int = 1, boost: float = 1.0) -> q.Query | None:
        groups = self._groups(self.exact, text)
        if not groups:
            return None
        if len(groups) == 1:
            return self._any(fieldname, [t for t, _, _ in groups[0]], boost)
        if fieldname in PAIRS_FIELDS and slop == 1:
            # An exact phrase: its word pairs are a few cheap term lookups; two
            # words need nothing more, longer phrases are checked by position.
            pairs = self.pairs(groups, boost, PAIRS_FIELDS[fieldname])
            if len(groups) == 2:
                return pairs
            return PairPhrase(pairs, [[t for t, _, _ in g] for g in groups], fieldname)
        if all(len(g) == 1 for g in groups):
            return q.Phrase(fieldname, [g[0][0] for g in groups], slop=slop, boost=boost)
        parts = [self._any(fieldname, [t for t, _, _ in g]) for g in groups]
        return q.Sequence(parts, slop=slop, boost=boost)

    def pairs(self, groups: list[list[tuple[str, int, int]]], boost: float = 1.0,
              fieldname: str = "pairs") -> q.Query:
        """All the adjacent word pairs of ``groups`` (consecutive positions)."""
        terms = [[t for t, _, _ in g] for g in groups]
        parts = [self._any(fieldname, alternatives) for alternatives in pair_groups(terms)]
        if len(parts) == 1:
            return parts[0].with_boost(parts[0].boost * boost) if boost != 1.0 else parts[0]
        return q.And(parts, boost=boost)

    def pairs_bonus(self, text: str, boost: float) -> q.Query | None:
        """Any adjacent pair of the words of ``text``: a bonus for words that
        stand together in a paragraph as they do in the query."""
        terms = [[t for t, _, _ in g] for g in self._groups(self.exact, text)]
        alternatives = [pair for group in pair_groups(terms) for pair in group]
        if not alternatives:
            return None
        return q.Or([q.Term("pairs", pair) for pair in dict.fromkeys(alternatives)], boost=boost)

    def _analyzed(self, fieldname: str, raw: str, boost: float = 1.0) -> q.Query | None:
        """A word of free text in a stemmed field."""
        groups = self._groups(self.text, raw)
        if not groups:
            return None
        if len(groups) == 1:
            return self._any(fieldname, [t for t, _, _ in groups[0]], boost)
        # A compound or symbol that splits: its parts in order, or a form
        # that spans the whole word (e.g. the joined compound).
        exact_field = "notes_exact" if fieldname == "notes" else "exact"
        if fieldname == "title":
            return q.And([self._any(fieldname, [t for t, _, _ in g]) for g in groups], boost=boost)
        options: list[q.Query] = []
        whole = [t for g in groups for t, s, e in g if s == 0 and e >= len(raw.rstrip())]
        if whole:
            options.append(self._any(fieldname, whole))
        sequence = self._sequence(exact_field, raw)
        if sequence is not None:
            options.append(sequence)
        if not options:
            return None
        return options[0] if len(options) == 1 else q.Or(options, boost=boost)

    # -- leaves ------------------------------------------------------------

    def word(self, fieldname: str, raw: str, boost: float) -> q.Query | None:
        if fieldname == "text":
            parts = []
            match = RESOLUTION_NUMBER.match(raw)
            if match:
                number = match.group(1)
                parts += [q.Term("number", number), q.Term("cites", number)]
            main = self._analyzed("text", raw)
            if main is None and not parts:
                self.result.dropped.append(raw)
                return None
            self.result.words.append(raw)
            if main is not None:
                parts.append(main)
            notes = self._analyzed("notes", raw, boost=NOTES_WEIGHT)
            if notes is not None:
                parts.append(notes)
            # A compound (``Sud-Sud``: its joined form and its word pair, in
            # text and footnotes) is one flat sum of terms.
            summed = _one_sum(parts, boost)
            if summed is not None:
                return summed
            return q.Or(parts, boost=boost) if len(parts) > 1 else _boosted(parts[0], boost)
        if fieldname in ("title", "notes"):
            result = self._analyzed(fieldname, raw, boost)
            if result is None:
                self.result.dropped.append(raw)
            return result
        return self.keyword(fieldname, raw, boost)

    def keyword(self, fieldname: str, raw: str, boost: float = 1.0) -> q.Query:
        value = raw.strip()
        if fieldname == "number":
            return q.Term("number", normalize_number(value), boost=boost)
        if fieldname == "cites":
            return q.Term("cites", normalize_number(value), boost=boost)
        if fieldname in ("session", "year"):
            number = _integer(fieldname, value)
            return q.NumericRange(fieldname, number, number, boost=boost)
        if fieldname == "kind":
            kind = KIND_ALIASES.get(fold_keyword(value))
            if kind is None:
                raise QueryError(f"kind:{value} — expected kind:operative or kind:preambular")
            return q.Term("kind", kind, boost=boost)
        if fieldname == "verb":
            return q.Term("verb", fold_keyword(value), boost=boost)
        if fieldname == "ref":
            return q.Term("ref", normalize_ref(value), boost=boost)
        raise QueryError(f"cannot search {fieldname}:{value}")

    def phrase(self, fieldname: str, words: list[str], slop: int, boost: float) -> q.Query | None:
        text = " ".join(words)
        if len(text.split()) > MAX_PHRASE_WORDS:
            raise QueryError(
                f"a phrase may have at most {MAX_PHRASE_WORDS} words "
                "(to find paragraphs like a long text, use `similar`)"
            )
        if fieldname in ("text", "notes"):
            options = []
            if fieldname == "text":
                options.append(self._sequence("exact", text, slop, boost))
            options.append(self._sequence("notes_exact", text, slop, boost * NOTES_WEIGHT))
            found = [o for o in options if o is not None]
            if not found:
                self.result.dropped.append(text)
                return None
            return found[0] if len(found) == 1 else q.Or(found)
        if fieldname == "title":
            return self._analyzed("title", text, boost)
        return self.keyword(fieldname, text, boost)

    def expand(self, fieldname: str, pattern: str, kind: str, boost: float,
               maxdist: int = 1, prefixlength: int = 0) -> q.Query:
        """A prefix, wildcard or fuzzy term as an OR of at most MAX_EXPANSION real terms."""
        target = {"text": "exact", "notes": "notes_exact", "title": "exact"}.get(fieldname, fieldname)
        folded = fold_keyword(pattern) if target in ("verb",) else _fold_word(pattern)
        if target in ("session", "year", "kind", "ref", "number", "cites"):
            raise QueryError(f"{fieldname}: does not take wildcards or fuzzy terms")
        candidates: list[tuple[int, str]] = []
        if kind == "prefix":
            terms = self._scan(target, folded)
        elif kind == "wildcard":
            literal = re.split(r"[*?]", folded, maxsplit=1)[0]
            terms = ((t, f) for t, f in self._scan(target, literal) if fnmatch.fnmatchcase(t, folded))
        else:
            if maxdist > 2:
                raise QueryError(f"{pattern}~{maxdist}: the largest fuzzy distance is 2")
            if len(folded) > MAX_FUZZY_CHARS:
                raise QueryError(f"a fuzzy word (~) may have at most {MAX_FUZZY_CHARS} letters")
            terms = ((t, self.reader.doc_frequency(target, t))
                     for t in self.reader.terms_within(target, folded, maxdist, prefixlength))
        for term, freq in terms:
            candidates.append((freq, term))
        best = [t for _, t in heapq.nlargest(MAX_EXPANSION, candidates)]
        if not best:
            return q.NullQuery
        return q.Or([q.Term(target, t) for t in best], boost=boost)

    def _scan(self, fieldname: str, prefix: str):
        if fieldname not in self.reader.schema:
            return
        for count, (term, info) in enumerate(self.reader.iter_prefix(fieldname, prefix)):
            if count >= MAX_SCAN:
                break
            text = term.decode("utf-8") if isinstance(term, bytes) else term
            yield text, info.doc_frequency()

    # -- tree ----------------------------------------------------------------

    def rewrite(self, node: q.Query) -> q.Query | None:
        boost = getattr(node, "boost", 1.0)
        if isinstance(node, q.Every):
            self.result.every = True
            return q.Every()
        if isinstance(node, q.FuzzyTerm):
            return self.expand(node.fieldname, node.text, "fuzzy", boost, node.maxdist, node.prefixlength)
        if isinstance(node, q.Prefix):
            return self.expand(node.fieldname, node.text, "prefix", boost)
        if isinstance(node, q.Wildcard):
            if node.text.strip("*?") == "":
                self.result.every = True
                return q.Every()
            return self.expand(node.fieldname, node.text, "wildcard", boost)
        if isinstance(node, q.Term):
            return self.word(node.fieldname, node.text, boost)
        if isinstance(node, q.Phrase):
            return self.phrase(node.fieldname, list(node.words), node.slop, boost)
        if isinstance(node, q.TermRange):
            return self.range(node)
        if isinstance(node, q.Not):
            self.result.negated = True
            inner = self.rewrite(node.query)
            return None if inner is None else q.Not(inner)
        if isinstance(node, q.BinaryQuery):
            a, b = self.rewrite(node.a), self.rewrite(node.b)
            if isinstance(node, q.AndNot):
                self.result.negated = True
            if a is None:
                return None if isinstance(node, (q.AndNot, q.AndMaybe)) else b
            if b is None:
                return a
            return type(node)(a, b)
        if isinstance(node, q.CompoundQuery):
            parts = [p for p in (self.rewrite(s) for s in node.subqueries) if p is not None]
            if not parts:
                return None
            if isinstance(node, q.And) and all(isinstance(p, q.Not) for p in parts):
                self.result.negated = True
            if type(node) is q.Or:  # words or'ed (``coopération OR assistance``)
                summed = _one_sum(parts, boost)
                if summed is not None:
                    return summed
            return type(node)(parts, boost=boost) if len(parts) > 1 else parts[0]
        if node is q.NullQuery or isinstance(node, q.NullQuery.__class__):
            return None
        raise QueryError(f"unsupported query element {node!r}")

    def range(self, node: q.TermRange) -> q.Query:
        fieldname = node.fieldname
        if fieldname not in ("year", "session"):
            raise QueryError(f"{fieldname}: does not take ranges; ranges work on year: and session:")
        start = _integer(fieldname, node.start) if node.start not in (None, "") else None
        end = _integer(fieldname, node.end) if node.end not in (None, "") else None
        return q.NumericRange(fieldname, start, end, startexcl=node.startexcl, endexcl=node.endexcl)


def matches_by_absence(query: q.Query) -> bool:
    """Whether ``query`` can match a document holding none of its terms (a
    negation not and-ed with a part that must be present) — the only kind
    of query that can reach a resolution's own document."""
    if isinstance(query, q.Not):
        return True
    if isinstance(query, q.And):
        return all(matches_by_absence(child) for child in query.subqueries)
    if isinstance(query, q.Or):
        return any(matches_by_absence(child) for child in query.subqueries)
    if isinstance(query, (q.AndNot, q.AndMaybe)):
        return matches_by_absence(query.a)
    return False


def _one_sum(parts: list[q.Query], boost: float) -> q.Query | None:
    """``parts`` or'ed as one flat sum of their terms, the boosts multiplied
    down (see :func:`_flat_sum`): what resosearch.rank ranks from the term
    maps or by block bounds rather than scoring a tree whole. None when a
    part is not a tree of Ors over terms, or there is a single term."""
    terms = _flat_sum(q.Or(parts, boost=boost))
    return q.Or(terms) if terms is not None and len(terms) > 1 else None


def _flat_sum(node: q.Query, boost: float = 1.0) -> list[q.Term] | None:
    """The terms of a tree of Ors over terms, each carrying the product of
    its boost and the boosts above it (the tree scores their sum), or None
    for another shape."""
    if type(node) is q.Term:
        if boost == 1.0:
            return [node]
        term = node.copy()
        term.boost = node.boost * boost
        return [term]
    if type(node) is not q.Or:
        return None
    terms: list[q.Term] = []
    for child in node.subqueries:
        found = _flat_sum(child, node.boost * boost)
        if found is None:
            return None
        terms += found
    return terms


def _boosted(node: q.Query, boost: float) -> q.Query:
    if boost != 1.0:
        node = node.copy()
        node.boost = boost
    return node


def _integer(fieldname: str, value: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise QueryError(
            f"{fieldname}:{value} — expected a number, e.g. {fieldname}:"
            f"{'2013' if fieldname == 'year' else '68'} or {fieldname}:[2010 TO 2015]"
        ) from None


_ELISION = re.compile(r"(?i)^(?:jusqu|quoiqu|lorsqu|puisqu|qu|[lmtnsjdc])['’]")


def _fold_word(text: str) -> str:
    """A typed prefix, wildcard or fuzzy word in the exact field's form.

    Character-level folding (no tokenizing), so wildcards stay in place.
    """
    return fold_keyword(_ELISION.sub("", text.strip()))


def compile_query(text: str, reader: IndexReader) -> CompiledQuery:
    """Parse and rewrite ``text`` for ``reader``'s index. QueryError if malformed."""
    cleaned = check_syntax(text)
    compiler = Compiler(reader)
    if not cleaned.strip():
        return compiler.result
    raw = parse_raw(cleaned)
    rewritten = compiler.rewrite(raw)
    compiler.result.query = rewritten if rewritten is not None else q.NullQuery
    return compiler.result
