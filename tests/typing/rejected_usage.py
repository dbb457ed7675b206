"""Wrong usages that mypy must reject (checked by ``nox -s typecheck``, never run).

Each line carries ``# type: ignore[code]``: with ``warn_unused_ignores`` an
ignore that mypy does not need is itself an error, so if mypy ever accepted
one of these lines the type check would fail.
"""

from __future__ import annotations

from harmony_typed import Author, Conversation, Message, Role, StreamableParser, TextContent, load_harmony_encoding

enc = load_harmony_encoding("HarmonyGptOss")
msg = Message.from_role_and_content(Role.USER, "hi")

Author(role="user")  # type: ignore[arg-type]
Message.from_role_and_content("user", "hi")  # type: ignore[arg-type]
msg.channel = "final"  # type: ignore[misc]
msg.author.name = "bob"  # type: ignore[misc]
enc.render("hello")  # type: ignore[arg-type]
enc.render_conversation([msg])  # type: ignore[arg-type]
enc.render_conversation_for_completion(Conversation.from_messages([msg]), "assistant")  # type: ignore[arg-type]
Conversation.from_messages(["hi"])  # type: ignore[list-item]
Message(author=Author(role=Role.USER), content=[42])  # type: ignore[list-item]
TextContent(text=None)  # type: ignore[arg-type]
StreamableParser(enc, "assistant")  # type: ignore[arg-type]
StreamableParser(enc, Role.ASSISTANT).process("200006")  # type: ignore[arg-type]
enc.decode_utf8("abc")  # type: ignore[arg-type]
msg.content.append(TextContent(text="more"))  # type: ignore[attr-defined]
