"""Header grammar of a Harmony message (SPEC §6.3): ``parse_header(text, role_hint, full)``.

The header is everything between ``<|start|>`` (or the start of a completion
parsed with a role hint) and ``<|message|>``, decoded to text once.  Grammar,
in the order openai_harmony applies it:

1. ``<|channel|>VALUE``: the first marker only; ``VALUE`` runs up to Unicode
   ``White_Space`` or ``<``; marker and value are cut out of the text (the
   pieces on either side are joined directly).  Empty value: error.
2. trim Unicode ``White_Space`` (not Python's ``str.strip()``: that also
   strips U+001C..U+001F);
3. every ``<|constrain|>`` becomes `` <|constrain|>`` (so it starts a word),
   then trim again;
4. split into words on runs of ASCII whitespace *without* VT: space, ``\t``,
   ``\n``, ``\f``, ``\r`` (not ``\v``, NBSP or U+3000: those stay inside
   words);
5. role: the hint, else the first word if it is a role name, else the first
   word is a tool name (role ``tool``) when more words follow or it starts
   with ``to=``, else ``Unknown role: WORD``;
6. a leading word equal to the role name is dropped;
7. ``full`` (a header ended by ``<|message|>``): the last word is the
   recipient if it starts with ``to=`` or is the only word, otherwise it is
   the content type and the word before it is the recipient (``to=``
   optional); any word left over is an error, quoted with Rust's ``{:?}``.
   Not ``full`` (non-strict recovery, §6.5): the words are the message text.

Errors are raised as :class:`~harmony_typed.ParseError` without a position;
the parser re-raises them with the index of the ``<|message|>`` (or stop)
token.
"""

from __future__ import annotations

from typing import Final

from harmony_typed._errors import ParseError
from harmony_typed._models import Author, Role
from harmony_typed._rust import rust_debug_str
from harmony_typed._specials import CHANNEL_MARKER, CONSTRAIN_MARKER
from harmony_typed._transitions import RecoveryKind

__all__ = ["ParsedHeader", "parse_header"]

_CHANNEL_MARKER_LEN: Final = len(CHANNEL_MARKER)

WHITE_SPACE: Final = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""Unicode ``White_Space`` = Rust ``char::is_whitespace`` (checked against the oracle)."""

_ASCII_SPACE: Final = " "
_TAB_NL_FF_CR: Final = {ord("\t"): " ", ord("\n"): " ", ord("\x0c"): " ", ord("\r"): " "}
"""``str.translate`` table: the ASCII whitespace Rust's ``split_ascii_whitespace`` splits on, to spaces."""

_ROLES: Final = {
    "user": Role.USER,
    "assistant": Role.ASSISTANT,
    "system": Role.SYSTEM,
    "developer": Role.DEVELOPER,
    "tool": Role.TOOL,
}

_UNNAMED: Final = {role: Author(role=role) for role in Role}
"""One shared ``Author(role)`` per role: authors are frozen, so messages may share them."""

# Enum member and ``.value`` lookups go through Python descriptors (100-200 ns
# each); a Final module global is read once.  Role is a str enum, so a role
# compares equal to its name.
_TOOL: Final = Role.TOOL


class ParsedHeader:
    """A parsed header: the author and the optional header fields.

    ``remaining`` is the non-``full`` result (the recovered message text);
    it is ``""`` for a ``full`` parse.
    """

    author: Author
    role: Role
    channel: str | None
    recipient: str | None
    content_type: str | None
    remaining: str

    def __init__(
        self,
        author: Author,
        channel: str | None,
        recipient: str | None,
        content_type: str | None,
        remaining: str,
    ) -> None:
        self.author = author
        self.role = author.role
        self.channel = channel
        self.recipient = recipient
        self.content_type = content_type
        self.remaining = remaining

    def to_state_data(self) -> dict[str, object]:
        """The ``header`` entry of ``StreamableParser.state_data`` (SPEC §6.6)."""
        author: dict[str, object] = {"role": self.role.value}
        if self.author.name is not None:
            author["name"] = self.author.name
        return {
            "author": author,
            "recipient": self.recipient,
            "channel": self.channel,
            "content_type": self.content_type,
        }


def _split_ascii_whitespace(text: str) -> list[str]:
    # Rust's split_ascii_whitespace: runs of " \t\n\x0c\r", empty words dropped.
    if "\t" in text or "\n" in text or "\x0c" in text or "\r" in text:
        text = text.translate(_TAB_NL_FF_CR)
    words: list[str] = []
    for word in text.split(_ASCII_SPACE):
        if word:
            words.append(word)
    return words


def _channel_value_end(text: str, start: int) -> int:
    """Index of the first ``<`` or Unicode ``White_Space`` at or after ``start`` (else ``len(text)``)."""
    end = start
    n = len(text)
    while end < n:
        code = ord(text[end])
        # "<" or White_Space (all of which are <= U+0020 or >= U+0085)
        if code == 0x3C or ((code <= 0x20 or code >= 0x85) and chr(code) in WHITE_SPACE):
            break
        end += 1
    return end


def parse_header(
    text: str,
    role_hint: Role | None,
    full: bool,
    strip_extra_channels: bool = False,
    repairs: list[tuple[RecoveryKind, str]] | None = None,
    fallback_role: Role = Role.ASSISTANT,
) -> ParsedHeader:
    """Parse a decoded header (SPEC §6.3); raises :class:`ParseError` without a position.

    ``strip_extra_channels`` (the oss-harmony 0.0.11 dialect): after step 1,
    every further ``<|channel|>`` marker is cut out with its value (which may
    be empty here), repeatedly, before the trim.

    ``repairs`` given (a recovering parser): never raises; what does not
    parse is repaired as docs/parsing.md's *Recovery* says, and each repair is
    appended to ``repairs``.  ``fallback_role`` is the role of a header without
    one.  A well-formed header parses exactly as without ``repairs``.
    """
    recover = repairs is not None
    # 1. the first <|channel|> marker and its value
    channel: str | None = None
    marker = text.find(CHANNEL_MARKER)
    while marker >= 0 and channel is None:
        start = marker + _CHANNEL_MARKER_LEN
        end = _channel_value_end(text, start)
        if end == start:
            if repairs is None:
                raise ParseError("channel marker present but no channel value found in header")
            repairs.append((RecoveryKind.EMPTY_CHANNEL, "dropped an empty <|channel|> marker"))
            text = text[:marker] + text[end:]
            marker = text.find(CHANNEL_MARKER)
            continue
        channel = text[start:end]
        text = text[:marker] + text[end:]
        if strip_extra_channels or recover:
            marker = text.find(CHANNEL_MARKER)
            while marker >= 0:
                end = _channel_value_end(text, marker + _CHANNEL_MARKER_LEN)
                if repairs is not None and not strip_extra_channels:
                    repairs.append((RecoveryKind.EXTRA_CHANNEL, "dropped " + text[marker:end]))
                text = text[:marker] + text[end:]
                marker = text.find(CHANNEL_MARKER)
        break
    # 2.-4. trim, detach <|constrain|>, split into words
    text = text.strip(WHITE_SPACE)
    if CONSTRAIN_MARKER in text:
        text = text.replace(CONSTRAIN_MARKER, " " + CONSTRAIN_MARKER).strip(WHITE_SPACE)
    parts = _split_ascii_whitespace(text)
    # 5. role
    raw: str | None = None
    if role_hint is not None:
        role = role_hint
    elif not parts:
        if repairs is None:
            raise ParseError("message header did not contain a role")
        repairs.append((RecoveryKind.MISSING_ROLE, "no role in the header: " + fallback_role.value))
        role = fallback_role
    else:
        raw = parts[0]
        known = _ROLES.get(raw)
        if known is not None:
            role = known
        elif len(parts) > 1 or raw.startswith("to="):
            role = _TOOL
            del parts[0]
        elif repairs is None:
            raise ParseError("Unknown role: " + raw)
        else:
            repairs.append((RecoveryKind.UNKNOWN_ROLE, "a tool message named " + raw))
            role = _TOOL
            del parts[0]
    # 6. a leading word equal to the role name
    if parts and parts[0] == role:
        del parts[0]
    author = Author(role=role, name=raw) if raw is not None and role is _TOOL else _UNNAMED[role]
    if not full:
        return ParsedHeader(author, channel, None, None, " ".join(parts))
    # 7. recipient and content type, from the end
    recipient: str | None = None
    content_type: str | None = None
    if repairs is not None and len(parts) > 1:
        parts = _drop_duplicate_recipients(parts, repairs)
    if parts:
        n_parts = len(parts)
        last = parts.pop()
        if last.startswith("to="):
            recipient = last[3:]
        elif n_parts == 1:
            if repairs is not None and last.startswith(CONSTRAIN_MARKER):
                # `<|channel|>final <|constrain|>json` (upstream PR #144)
                repairs.append((RecoveryKind.CONSTRAIN_AS_CONTENT_TYPE, "content type " + last + ", no recipient"))
                content_type = last
            else:
                recipient = last
        else:
            content_type = last
            before = parts.pop()
            recipient = before[3:] if before.startswith("to=") else before
        if parts:
            if repairs is None:
                raise ParseError(
                    "unexpected tokens remaining in message header: Some(" + rust_debug_str(" ".join(parts)) + ")"
                )
            repairs.append((RecoveryKind.EXTRA_HEADER_WORDS, "dropped " + rust_debug_str(" ".join(parts))))
    return ParsedHeader(author, channel, recipient, content_type, "")


def _drop_duplicate_recipients(parts: list[str], repairs: list[tuple[RecoveryKind, str]]) -> list[str]:
    # The same `to=X` more than once: keep the first.
    kept: list[str] = []
    for word in parts:
        if word.startswith("to=") and word in kept:
            repairs.append((RecoveryKind.DUPLICATE_RECIPIENT, "dropped a second " + word))
        else:
            kept.append(word)
    return kept
