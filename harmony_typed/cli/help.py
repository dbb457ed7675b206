"""The help text of ``harmony-typed`` and its commands (the ``$`` examples are tested)."""

from __future__ import annotations

from typing import Final

from harmony_typed.cli.output import PROG

MAIN_EPILOG: Final = f"""\
examples:
  $ {PROG} demo
  $ echo '{{"role": "user", "content": "Hi"}}' | {PROG} render-msg
  [200006, 1428, 200008, 12194, 200007]
  $ {PROG} render-dataset chats.jsonl tokens.jsonl --mode training

Input is JSON on standard input, or a FILE argument. Messages and
conversations use openai_harmony's to_dict() shapes: a message
{{"role": ..., "content": "text" or [{{"type": "text", "text": ...}}, ...],
"channel"?: ..., "recipient"?: ..., "content_type"?: ..., "name"?: ...}},
a conversation {{"messages": [...]}}, or an array of messages.

Exit codes: 0 success, 1 bad data, 2 bad usage.
"""

EPILOGS: Final = {
    "stop": f"""\
example:
  $ {PROG} stop
  [200002, 200007, 200012]
  $ {PROG} stop --assistant-actions --text
  <|return|><|call|>
""",
    "decode": f"""\
input: a JSON array of token ids (or {{"tokens": [...]}}, as render-dataset writes).

example:
  $ echo '[200006, 1428, 200008, 12194, 200007]' | {PROG} decode
  "<|start|>user<|message|>Hi<|end|>"
  $ echo '[200006, 1428, 200008, 12194, 200007]' | {PROG} decode --text
  <|start|>user<|message|>Hi<|end|>
""",
    "encode": f"""\
input: a JSON string (or any text with --raw).

example:
  $ echo '"hello world"' | {PROG} encode
  [24912, 2375]
  $ echo '"<|start|>user"' | {PROG} encode --allow-special
  [200006, 1428]
  $ printf 'hello world' | {PROG} encode --raw
  [24912, 2375]
""",
    "render-msg": f"""\
input: one message, e.g. {{"role": "user", "content": "Hi"}}.

example:
  $ echo '{{"role": "user", "content": "Hi"}}' | {PROG} render-msg
  [200006, 1428, 200008, 12194, 200007]
  $ echo '{{"role": "assistant", "channel": "final", "content": "Hello!"}}' | {PROG} render-msg --text
  <|start|>assistant<|channel|>final<|message|>Hello!<|end|>
""",
    "render-convo": f"""\
input: a conversation {{"messages": [...]}}, an array of messages, or one message.

example:
  $ echo '[{{"role": "user", "content": "Hi"}}, {{"role": "assistant", "channel": "final", "content": "Hello!"}}]' \\
      | {PROG} render-convo --text
  <|start|>user<|message|>Hi<|end|><|start|>assistant<|channel|>final<|message|>Hello!<|end|>
""",
    "render-completion": f"""\
input: a conversation {{"messages": [...]}}, an array of messages, or one message.
Output: the prompt for sampling the next message, ending with <|start|>ROLE.

example:
  $ echo '{{"messages": [{{"role": "user", "content": "Hi"}}]}}' | {PROG} render-completion --role assistant
  [200006, 1428, 200008, 12194, 200007, 200006, 173781]
""",
    "render-training": f"""\
input: a conversation {{"messages": [...]}}, an array of messages, or one message.
A final assistant answer ends with <|return|> instead of <|end|>.

example:
  $ echo '[{{"role": "user", "content": "Hi"}}, {{"role": "assistant", "channel": "final", "content": "Hello!"}}]' \\
      | {PROG} render-training --text
  <|start|>user<|message|>Hi<|end|><|start|>assistant<|channel|>final<|message|>Hello!<|return|>
""",
    "parse": f"""\
input: a JSON array of token ids sampled after <|start|>ROLE (or {{"tokens": [...]}}).
Output: a JSON array of messages (openai_harmony's to_dict() shape).

example:
  $ echo '"<|channel|>final<|message|>Hi!<|return|>"' | {PROG} encode --allow-special \\
      | {PROG} parse --role assistant
  [{{"role": "assistant", "name": null, "content": [{{"type": "text", "text": "Hi!"}}], "channel": "final"}}]
""",
    "stream": f"""\
input: token ids, read as they arrive and fed to a StreamableParser one at a time:
whitespace- or newline-separated ids, one JSON array per line, or one JSON
array (or {{"tokens": [...]}}) over the whole input.
Output: one JSON line per token: index, token, state (ExpectStart, Header or
Content), delta (the text this token added, or null), role, channel, recipient,
content_type, and finished (the messages this token completed); then one last
line with "token": null for the end of the stream.

example:
  $ echo '"<|channel|>final<|message|>Hi!<|return|>"' | {PROG} encode --allow-special \\
      | {PROG} stream --role assistant
""",
    "demo": f"""\
example:
  $ {PROG} demo
  $ {PROG} demo --json
""",
    "render-dataset": f"""\
input: JSON Lines, one conversation per line ({{"messages": [...]}}, an array
of messages, or one message). A key "id" (see --id-field) is carried through.
Output: JSON Lines, one {{"id"?: ..., "tokens": [...]}} per conversation, in
input order. Blank lines are ignored. The output file is written to a
temporary file beside it and renamed at the end, so it only ever appears whole.

A bad line (invalid JSON, wrong shape, render error) is reported with its line
number; the run stops with exit code 1 and OUT is not written, or with
--skip-errors the line is skipped and counted in the summary.

example:
  $ {PROG} render-dataset chats.jsonl tokens.jsonl --mode training
  $ {PROG} render-dataset chats.jsonl prompts.jsonl --mode completion --role assistant --workers 4
  $ cat chats.jsonl | {PROG} render-dataset - - --quiet --skip-errors > tokens.jsonl
""",
}
