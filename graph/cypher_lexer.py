"""A small Cypher lexer of bounded cost: code told apart from strings, quoted names and comments.

It serves where the server's plan cannot see: how many statements a text holds, how deeply it
nests (Neo4j's parser overflows its stack a few hundred levels down and then never answers), and
which `$parameters` a stored query uses. One pass, character by character, no regular expression
on the text: the cost is linear in its length whatever it holds (unterminated quotes, runs of
backslashes). The rules are Cypher's: a `//` comment ends at a line feed or a carriage return,
strings take backslash escapes, a backtick in a quoted name is written twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, NamedTuple

# Token kinds.
CODE_WORD, PARAMETER, PUNCTUATION, STRING, QUOTED_NAME, COMMENT = "word", "param", "punct", "string", "name", "comment"
# A // comment ends at any of these (the server ends it at \n or \r; ending it earlier only makes
# the checks see more code, never less).
LINE_ENDS = frozenset("\n\r\u2028\u2029\x85\x0b\x0c")
OPENING, CLOSING = frozenset("([{"), frozenset(")]}")
OPERATOR_CHARS = frozenset("+-*/%^=<>!~|&:.")
# Binary operators written as words; a chain of operators at one level makes one expression.
OPERATOR_WORDS = frozenset({"AND", "OR", "XOR", "IN", "IS", "CONTAINS", "STARTS", "ENDS"})


class Token(NamedTuple):  # a tuple: made once per token, so cheap to make
    kind: str
    text: str
    start: int


def _word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def tokens(text: str) -> Iterator[Token]:
    """The text's tokens, spaces left out; an unterminated string or comment runs to the end."""
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        start = i
        if c in "'\"":
            i += 1
            while i < n and text[i] != c:
                i += 2 if text[i] == "\\" else 1
            i = min(i + 1, n)
            yield Token(STRING, text[start:i], start)
        elif c == "`":
            end = quoted_name_end(text, i)
            i = n if end is None else end
            yield Token(QUOTED_NAME, text[start:i], start)
        elif text.startswith("//", i):
            while i < n and text[i] not in LINE_ENDS:
                i += 1
            yield Token(COMMENT, text[start:i], start)
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            yield Token(COMMENT, text[start:i], start)
        elif c == "$":
            i += 1
            while i < n and _word_char(text[i]):
                i += 1
            yield Token(PARAMETER, text[start:i], start)
        elif _word_char(c):
            while i < n and _word_char(text[i]):
                i += 1
            yield Token(CODE_WORD, text[start:i], start)
        elif c in OPERATOR_CHARS:
            while i < n and text[i] in OPERATOR_CHARS:
                i += 1
            yield Token(PUNCTUATION, text[start:i], start)
        else:  # brackets, commas, semicolons and anything else: one character each
            i += 1
            yield Token(PUNCTUATION, c, start)


def quoted_name_end(text: str, start: int) -> int | None:
    """Where the `quoted name` opening at text[start] ends (just past its closing backtick); None when it
    has none. A doubled backtick is one inside the name, as in Cypher: `a``b` is a`b."""
    n = len(text)
    i = start + 1
    while i < n:
        if text[i] == "`":
            if i + 1 < n and text[i + 1] == "`":
                i += 2
                continue
            return i + 1
        i += 1
    return None


def quoted_name(name: str) -> str:
    """`name` quoted for Cypher text (a label, a type, a key: any name, safely), as name_of reads it back."""
    return "`" + name.replace("`", "``") + "`"


def name_of(text: str) -> str:
    """The name a word or a `quoted name` token stands for: `a``b` is a`b, `` is the empty name, a bare
    word is itself. An unterminated quoted name (which the server refuses) is what follows its backtick."""
    if not text.startswith("`"):
        return text
    closed = quoted_name_end(text, 0) == len(text)
    return (text[1:-1] if closed else text[1:]).replace("``", "`")


@dataclass(frozen=True)
class Shape:
    """What the checks need of a text: its statements, and how deep and how long its expressions go.

    Attributes:
        statements: the text of each statement between `;`s (comments kept); those with no code left out.
        depth: the deepest nesting of brackets, CASE ... END and runs of NOT.
        chain: the most operators in one expression at one level (`'a' + 'a' + ...`).
    """

    statements: list[str]
    depth: int
    chain: int


# Words that start another part of a query: an operator chain does not run across them.
CLAUSE_WORDS = frozenset({
    "MATCH", "OPTIONAL", "WHERE", "RETURN", "WITH", "UNWIND", "ORDER", "BY", "SKIP", "LIMIT", "CALL", "YIELD",
    "UNION", "DISTINCT", "AS", "WHEN", "THEN", "ELSE", "CASE", "END", "CREATE", "MERGE", "SET", "DELETE",
    "DETACH", "REMOVE", "FOREACH", "USE", "LOAD", "FINISH", "FILTER", "LET",
})


def shape(text: str) -> Shape:
    """Splits a text into statements and measures its nesting, in one pass."""
    statements: list[str] = []
    begin, has_code = 0, False
    brackets = cases = nots = depth = chain = 0
    chains = [0]  # operators so far in the current expression, one counter per bracket level
    previous = ""
    for token in tokens(text):
        kind, word = token.kind, token.text
        if kind == COMMENT:
            continue
        upper = word.upper() if kind == CODE_WORD else ""
        after_dot = previous in (".", ":")  # a property key or a label, not a keyword
        if kind == PUNCTUATION and word == ";":
            if has_code:
                statements.append(text[begin:token.start])
            begin, has_code = token.start + 1, False
            brackets = cases = 0
            chains = [0]
            previous = word
            continue
        has_code = True
        if kind == PUNCTUATION and word in OPENING:
            brackets += 1
            chains.append(0)
        elif kind == PUNCTUATION and word in CLOSING:
            brackets = max(brackets - 1, 0)
            if len(chains) > 1:
                chains.pop()
        elif kind == PUNCTUATION and word == ",":
            chains[-1] = 0
        elif (kind == PUNCTUATION and word not in (".", ":", "|")) or (
                not after_dot and (upper in OPERATOR_WORDS or (upper == "WITH" and previous in ("STARTS", "ENDS")))):
            chains[-1] += 1
            chain = max(chain, chains[-1])
        elif upper in CLAUSE_WORDS and not after_dot:
            chains[-1] = 0
            if upper == "CASE":
                cases += 1
            elif upper == "END":
                cases = max(cases - 1, 0)
        nots = nots + 1 if upper == "NOT" and not after_dot else 0
        depth = max(depth, brackets + cases + nots)
        previous = upper or word
    if has_code:
        statements.append(text[begin:])
    return Shape(statements, depth, chain)


def parameters(text: str) -> set[str]:
    """The names of the `$parameters` a text uses outside strings, quoted names and comments."""
    return {t.text[1:] for t in tokens(text) if t.kind == PARAMETER and len(t.text) > 1}


def namespaced_calls(text: str) -> list[str]:
    """Dotted names called in code (`date.truncate(...)`), as written, backticks and all.

    Meant for the server's own rendering of a plan's expressions, where names are resolved and spaced
    canonically; a dotted name after `:` (a label) or `.` (a property) is not a call.
    """
    found: list[str] = []
    seen = [t for t in tokens(text) if t.kind != COMMENT]
    for i, token in enumerate(seen):
        if token.kind != PUNCTUATION or token.text != "(":
            continue
        parts, j = [], i - 1
        while j >= 0 and seen[j].kind in (CODE_WORD, QUOTED_NAME):
            parts.append(seen[j].text)
            if j >= 1 and seen[j - 1].kind == PUNCTUATION and seen[j - 1].text == ".":
                j -= 2
            else:
                j -= 1
                break
        if len(parts) > 1 and not (j >= 0 and seen[j].kind == PUNCTUATION and seen[j].text in (".", ":")):
            found.append(".".join(reversed(parts)))
    return found
