"""Portal admins' own mail texts: checked when saved, rendered in a Jinja2 sandbox when sent.

A custom template sees plain values only (names, numbers, texts), never a domain object, so it
can neither read a password hash nor call a method that changes a ticket. The sandbox refuses
attributes that start with an underscore; the environment is immutable (no list.append()), and
repetition, ranges, loop nesting, template size and output size are bounded, so one portal's
text cannot stall the server that renders everybody's mail.

`_()`, `ngettext()` and {% trans %} translate into the language of the portal whose mail is
rendered, as in the built-in texts, so the built-in text stays a valid own text in any language.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from types import TracebackType
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta, nodes, pass_context
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from zedline.i18n import DEFAULT as DEFAULT_LANGUAGE
from zedline.i18n import N_, Translatable, translations

MAX_TEMPLATE_BYTES = 10 * 1024
MAX_OUTPUT_CHARS = 64 * 1024
MAX_RANGE = 1000
MAX_LOOP_DEPTH = 2
MAX_EXPONENT = 64
TEMPLATE_FILENAME = "<template>"

# What a custom template may use, as listed on the settings page.
VARIABLES: tuple[tuple[str, str], ...] = (
    ("ticket.number", N_("the request's number, e.g. 123")),
    ("ticket.subject", N_("the request's subject")),
    ("ticket.url", N_("link to the request (same as ticket_url)")),
    ("ticket_url", N_("link to the request")),
    ("portal.name", N_("the portal's name")),
    ("portal.url", N_("link to the portal (same as portal_url)")),
    ("portal_url", N_("link to the portal")),
    ("user.first_name", N_("the recipient's first name")),
    ("user.last_name", N_("the recipient's last name")),
    ("user.full_name", N_("the recipient's full name")),
    ("user.email", N_("the recipient's e-mail address")),
    ("subject", N_("the built-in subject line, e.g. “[#123] New reply: …”")),
    ("headline", N_("the built-in one-sentence summary of what happened")),
    ("body", N_("the text the mail quotes (the message, note or description), may be empty")),
    ("body_label", N_("who wrote the quoted text, e.g. “Olga wrote”")),
    ("internal", N_("true when the quoted text is internal (such mail goes to staff only)")),
    ("for_staff", N_("true when the recipient is an operator or admin")),
    ("details", N_("list of (label, value) pairs, e.g. status, client, deadline")),
    ("note", N_("a closing hint, may be empty")),
)
TOP_LEVEL = frozenset(name.split(".", 1)[0] for name, _ in VARIABLES)


class TemplateProblem(Exception):  # noqa: N818 - reads as what it is
    """A custom template that must not be saved (or, at send time, must not be used)."""

    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        # Kept as a marked message (Jinja's own words have no translation and stay English).
        self.reason = reason if isinstance(reason, Translatable) else Translatable(reason, {})

    @property
    def text(self) -> str:
        """What is wrong, for the admin: the line and the reason, translatable."""
        if self.line:
            return N_("line %(line)s: %(reason)s", line=self.line, reason=self.reason)
        return self.reason

    def __str__(self) -> str:
        return str(self.text)


def _range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise SecurityError(f"range() may produce at most {MAX_RANGE} items")
    return result


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, with bounded repetition: `'x' * 10**9` is refused, not computed."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"exponents above {MAX_EXPONENT} are not allowed")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if (
                    isinstance(seq, str | list | tuple)
                    and isinstance(n, int)
                    and len(seq) * n > MAX_OUTPUT_CHARS
                ):
                    raise SecurityError("the repeated text would be too long")
        return super().call_binop(context, operator, left, right)


# The language of the mail being rendered (set by `render` for the whole rendering).
_LANGUAGE: ContextVar[str] = ContextVar("sandbox_language", default=DEFAULT_LANGUAGE)


@pass_context
def _gettext(_ctx: Context, message: str) -> str:
    return translations(_LANGUAGE.get()).gettext(message)


@pass_context
def _ngettext(_ctx: Context, singular: str, plural: str, n: int) -> str:
    return translations(_LANGUAGE.get()).ngettext(singular, plural, n)


def _environment(*, autoescape: bool) -> _Sandbox:
    env = _Sandbox(
        autoescape=autoescape,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Only these names (the stock globals include lipsum, cycler and joiner); `_` is the
    # extension's alias of `gettext`.
    env.globals = {"range": _range, "dict": dict, "_": env.globals["_"]}
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


_TEXT = _environment(autoescape=False)


def _line_of(exc: BaseException) -> int | None:
    """The template line an exception was raised on (Jinja rewrites tracebacks to show it)."""
    line = getattr(exc, "lineno", None)
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == TEMPLATE_FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line if isinstance(line, int) else None


def _loop_depth(node: nodes.Node, depth: int = 0) -> int:
    deepest = depth
    for child in node.iter_child_nodes():
        inner = depth + 1 if isinstance(child, nodes.For) else depth
        deepest = max(deepest, _loop_depth(child, inner))
    return deepest


def _first_line(ast: nodes.Template, name: str) -> int | None:
    for found in ast.find_all(nodes.Name):
        if found.name == name and found.ctx == "load":
            return found.lineno
    return None


def check_source(source: str) -> None:
    """Refuse a template that is too long, does not parse, uses an unknown variable, reaches
    for a private attribute or nests loops too deeply.

    Raises:
        TemplateProblem: the first thing wrong, with its line.
    """
    if len(source.encode("utf-8")) > MAX_TEMPLATE_BYTES:
        raise TemplateProblem(
            None, N_("the template is longer than %(kb)s kB", kb=MAX_TEMPLATE_BYTES // 1024)
        )
    try:
        ast = _TEXT.parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(
            exc.lineno, N_("syntax error: %(detail)s", detail=exc.message or "")
        ) from exc
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        attr = node.attr if isinstance(node, nodes.Getattr) else None
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            attr = node.arg.value if isinstance(node.arg.value, str) else None
        if attr is not None and attr.startswith("_"):
            raise TemplateProblem(node.lineno, N_("access to “%(name)s” is not allowed", name=attr))
    unknown = sorted(meta.find_undeclared_variables(ast) - TOP_LEVEL - set(_TEXT.globals))
    if unknown:
        name = unknown[0]
        raise TemplateProblem(_first_line(ast, name), N_("unknown variable “%(name)s”", name=name))
    if _loop_depth(ast) > MAX_LOOP_DEPTH:
        raise TemplateProblem(
            None, N_("loops may be nested at most %(depth)s deep", depth=MAX_LOOP_DEPTH)
        )


def render(source: str, context: Mapping[str, Any], *, lang: str = DEFAULT_LANGUAGE) -> str:
    """Render a checked template with a `safe_context`; `_()` translates into `lang`.

    Raises:
        TemplateProblem: the template fails on this context (unknown attribute, sandbox
            refusal, a runtime error) or its output is too long.
    """
    check_source(source)
    token = _LANGUAGE.set(lang)
    try:
        output = _bounded(_TEXT.from_string(source).generate(dict(context)))
    except TemplateProblem:
        raise
    except SecurityError as exc:
        raise TemplateProblem(
            _line_of(exc), N_("not allowed: %(detail)s", detail=str(exc))
        ) from exc
    except TemplateError as exc:
        raise TemplateProblem(_line_of(exc), exc.message or type(exc).__name__) from exc
    except Exception as exc:  # a template may divide by zero or compare str with int
        raise TemplateProblem(_line_of(exc), f"{type(exc).__name__}: {exc}") from exc
    finally:
        _LANGUAGE.reset(token)
    return output


def _bounded(chunks: Iterator[str]) -> str:
    """The output, stopped as soon as it is longer than anyone's mail should be."""
    parts: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise TemplateProblem(None, N_("the rendered text is too long"))
        parts.append(chunk)
    return "".join(parts)


def safe_context(ctx: Mapping[str, Any]) -> dict[str, Any]:
    """The values of a ticket mail's context, as plain data (no domain objects)."""
    portal, user, ticket = ctx["portal"], ctx["user"], ctx["ticket"]
    portal_url = str(ctx.get("portal_url", ""))
    ticket_url = str(ctx.get("ticket_url", ""))
    return {
        "portal": {"name": portal.name, "slug": portal.slug, "url": portal_url},
        "portal_url": portal_url,
        "user": {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "full_name": user.full_name,
            "email": user.email,
        },
        "ticket": {"number": ticket.number, "subject": ticket.subject, "url": ticket_url},
        "ticket_url": ticket_url,
        "subject": str(ctx.get("subject", "")),
        "headline": str(ctx.get("headline", "")),
        "body": str(ctx.get("body", "")),
        "body_label": str(ctx.get("body_label", "")),
        "internal": bool(ctx.get("internal")),
        "for_staff": bool(ctx.get("for_staff")),
        "details": [(str(k), str(v)) for k, v in ctx.get("details", [])],
        "note": str(ctx.get("note", "")),
    }
