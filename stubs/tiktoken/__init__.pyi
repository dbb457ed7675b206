# Minimal stubs for the parts of tiktoken harmony_typed uses.
from collections.abc import Collection, Sequence, Set
from typing import Literal

class _CoreBPE:
    def encode_ordinary(self, text: str) -> list[int]: ...

class Encoding:
    name: str
    _core_bpe: _CoreBPE
    def __init__(
        self,
        name: str,
        *,
        pat_str: str,
        mergeable_ranks: dict[bytes, int],
        special_tokens: dict[str, int],
        explicit_n_vocab: int | None = ...,
    ) -> None: ...
    def encode_ordinary(self, text: str) -> list[int]: ...
    def encode(
        self,
        text: str,
        *,
        allowed_special: Literal["all"] | Set[str] = ...,
        disallowed_special: Literal["all"] | Collection[str] = ...,
    ) -> list[int]: ...
    def decode_bytes(self, tokens: Sequence[int]) -> bytes: ...
    def decode(self, tokens: Sequence[int], errors: str = ...) -> str: ...
    def decode_single_token_bytes(self, token: int) -> bytes: ...
    @property
    def n_vocab(self) -> int: ...
    @property
    def special_tokens_set(self) -> set[str]: ...
