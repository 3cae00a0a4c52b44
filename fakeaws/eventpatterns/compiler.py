"""Pattern text -> validated tree of matchers, once.

The grammar and its messages are the EventBridge event-pattern language (the
event-ruler library's JSON rule compiler): a pattern is an object whose fields
are objects (nested fields) or arrays (the values a leaf may match), ``"$or"``
takes an array of at least two objects and forks the pattern into branches.
The checks run in the order the service's streaming parser meets the text, so
the first problem reported is the one AWS reports.

SNS and Lambda use the same language with differences that ``dialects``
describes; they hook in through the ``Dialect`` passed to ``Compiler``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import cidr as cidr_mod
from . import matchers as m
from . import wildcard as wc
from .errors import PatternError
from .jsonvalues import Num, Obj, location, token_text

if TYPE_CHECKING:
    from .dialects import Dialect

OR = "$or"
EXACTLY = "exactly"
PREFIX = "prefix"
SUFFIX = "suffix"
ANYTHING_BUT = "anything-but"
EXISTS = "exists"
NUMERIC = "numeric"
CIDR = "cidr"
EQUALS_IGNORE_CASE = "equals-ignore-case"
WILDCARD = "wildcard"

# Field names the service reserves inside "$or" objects.
RESERVED_IN_OR = frozenset(
    {
        EXACTLY,
        EQUALS_IGNORE_CASE,
        PREFIX,
        SUFFIX,
        ANYTHING_BUT,
        EXISTS,
        WILDCARD,
        NUMERIC,
        CIDR,
        "html",
        "=",
        "<",
        "<=",
        ">",
        ">=",
        "regex",
        "not-wildcard",
        "not-equals-ignore-case",
        "date-after",
        "date-on-or-after",
        "date-before",
        "date-on-or-before",
        "in-date-range",
        "ip-address-in-range",
        "ip-address-not-in-range",
    }
)

ONE_KEY = "Only one key allowed in match expression"
TOO_MANY_NUMERIC = "Too many elements in numeric expression"

Branch = dict[str, m.FieldSpec]


class Compiler:
    """Validates a parsed pattern and builds its branches of field specs."""

    def __init__(self, dialect: Dialect, text: str | None = None) -> None:
        self.dialect = dialect
        self.numbers = dialect.numbers
        self.text = text  # the text positions refer to (SNS reports them)
        self.operators_used: set[str] = set()
        self.wildcards: list[list[object]] = []
        self.max_depth = 1

    def fail(self, message: str, pos: int | None = None) -> PatternError:
        where = ""
        if pos is not None and self.text is not None and self.dialect.reports_location:
            where = location(self.text, pos)
        return PatternError(message, self.dialect.name, location=where)

    # -- structure -------------------------------------------------------

    def compile(self, pattern: Any, pos: int | None = None) -> list[Branch]:
        if not isinstance(pattern, Obj):
            raise self.fail("Filter is not an object", pos)
        rules: list[Branch] = []
        self._object(rules, [], pattern, in_or=False)
        return rules

    def _object(self, rules: list[Branch], path: list[str], obj: Obj, in_or: bool) -> None:
        if not obj:
            raise self.fail("Empty objects are not allowed", obj.close)
        for i, (key, value) in enumerate(obj):
            if key == OR:
                self._or(rules, path, value, _at(obj, i))
                continue
            if in_or and key in RESERVED_IN_OR:
                raise self.fail(
                    f"{key} is Ruler reserved fieldName which cannot be used inside $or.",
                    _at(obj, i),
                )
            if isinstance(value, Obj):
                self._object(rules, [*path, key], value, in_or)
            elif _is_array(value):
                self.max_depth = max(self.max_depth, len(path) + 1)
                self._field(rules, ".".join([*path, key]), value, len(path) + 1)
            else:
                raise self.fail(f'"{key}" must be an object or an array', _at(obj, i))

    def _or(self, rules: list[Branch], path: list[str], value: Any, pos: int | None) -> None:
        current = [dict(rule) for rule in rules]
        rules.clear()
        if not _is_array(value):
            raise self.fail("It must be an Array followed with $or.", pos)
        count = 0
        for j, element in enumerate(value):
            count += 1
            if not isinstance(element, Obj):
                raise self.fail(
                    "Only JSON object is allowed in array of $or relationship.", _at(value, j)
                )
            forked = [dict(rule) for rule in current] or [{}]
            self._object(forked, path, element, in_or=True)
            rules.extend(forked)
        if count < 2:
            raise self.fail("There must have at least 2 Objects in $or relationship.", value.close)

    def _field(self, rules: list[Branch], name: str, values: list[Any], depth: int) -> None:
        spec = m.FieldSpec(self.numbers)
        for j, value in enumerate(values):
            if isinstance(value, Obj):
                self._expression(spec, value)
            elif isinstance(value, str):
                self._exact_string(spec, value)
            elif isinstance(value, Num):
                self._exact_number(spec, value)
            elif value is None:
                spec.match_null = True
            elif value is True:
                spec.match_true = True
            elif value is False:
                spec.match_false = True
            else:
                raise self.fail(
                    "Match value must be String, number, true, false, or null", _at(values, j)
                )
        if not values:
            raise self.fail("Empty arrays are not allowed", _close(values))
        spec.count = len(values)
        spec.depth = depth
        spec.freeze()
        if not rules:
            rules.append({})
        for rule in rules:
            rule[name] = spec

    def _exact_string(self, spec: m.FieldSpec, value: str) -> None:
        ip = cidr_mod.parse_ip(value)
        if ip is not None:
            spec.matchers.append(m.IpEquals(ip[0], ip[1], cidr_mod.parse_ip))
        else:
            spec.strings.add(value)

    def _exact_number(self, spec: m.FieldSpec, value: Num) -> None:
        try:
            spec.numbers.add(self.numbers.pattern_number(value.value))
        except ValueError:
            spec.raw_numbers.add(value.value)

    # -- match expressions ------------------------------------------------

    def _expression(self, spec: m.FieldSpec, expr: Obj) -> None:
        if not expr:
            raise self.fail("Match expression name not found", expr.close)
        op, arg = expr[0]
        here = _at(expr, 0)
        extra = _at(expr, 1) if len(expr) > 1 else None
        has_extra = len(expr) > 1
        d = self.dialect
        self.operators_used.add(op)
        if op in (PREFIX, SUFFIX):
            spec.matchers.append(self._prefix_suffix(op, arg, expr))
        elif op == NUMERIC:
            if not _is_array(arg):
                raise self.fail("Value of numeric must be an array.", here)
            spec.matchers.append(self._numeric(arg))
            if has_extra:
                raise self.fail(TOO_MANY_NUMERIC, extra)
        elif op == ANYTHING_BUT:
            spec.matchers.append(self._anything_but(arg, here))
            if has_extra:
                raise self.fail(TOO_MANY_NUMERIC, extra)
        elif op == EXISTS:
            if arg is True:
                spec.exists = True
            elif arg is False:
                spec.absent = True
            else:
                raise self.fail("exists match pattern must be either true or false.", here)
            if has_extra:
                raise self.fail(ONE_KEY, extra)
        elif op == CIDR and d.supports(CIDR):
            if not isinstance(arg, str):
                raise self.fail("prefix match pattern must be a string", here)
            try:
                version, low, high = cidr_mod.parse_cidr(arg)
            except cidr_mod.CidrError as exc:
                raise self.fail(str(exc), _full(expr, 0)) from None
            if has_extra:
                raise self.fail(ONE_KEY, extra)
            spec.matchers.append(m.Cidr(version, low, high, cidr_mod.parse_ip))
        elif op == EQUALS_IGNORE_CASE and d.supports(EQUALS_IGNORE_CASE):
            if not isinstance(arg, str):
                raise self.fail("equals-ignore-case match pattern must be a string", here)
            if has_extra:
                raise self.fail(ONE_KEY, extra)
            spec.matchers.append(m.EqualsIgnoreCase(arg))
        elif op == WILDCARD and d.supports(WILDCARD):
            if not isinstance(arg, str):
                raise self.fail("wildcard match pattern must be a string", here)
            parts = self._wildcard(arg, _full(expr, 0))
            if has_extra:
                raise self.fail(ONE_KEY, extra)
            spec.matchers.append(m.Wildcard(wc.compile_regex(parts)))
        elif op == EXACTLY and d.supports(EXACTLY):
            if not isinstance(arg, str):
                raise self.fail("exact match pattern must be a string", here)
            if has_extra:
                raise self.fail(ONE_KEY, extra)
            spec.strings.add(arg)
        else:
            raise self.fail(f"Unrecognized match type {op}", here)
        d.operator(op, self)

    def _prefix_suffix(self, op: str, arg: Any, expr: Obj) -> m.Matcher:
        here = _at(expr, 0)
        if isinstance(arg, Obj) and self.dialect.supports(f"{op}/{EQUALS_IGNORE_CASE}"):
            # {"prefix": {"equals-ignore-case": "..."}}
            if not arg:
                raise self.fail(f"{op.capitalize()} expression name not found", arg.close)
            inner, text = arg[0]
            if inner != EQUALS_IGNORE_CASE:
                raise self.fail(f"Unsupported {op} pattern: {inner}", _at(arg, 0))
            if not isinstance(text, str):
                raise self.fail("equals-ignore-case match pattern must be a string", _at(arg, 0))
            if len(arg) > 1:
                raise self.fail(ONE_KEY, _at(arg, 1))
            if len(expr) > 1:
                raise self.fail(ONE_KEY, _at(expr, 1))
            self.operators_used.add(f"{op}/{EQUALS_IGNORE_CASE}")
            return m.PrefixIgnoreCase(text) if op == PREFIX else m.SuffixIgnoreCase(text)
        if not isinstance(arg, str):
            raise self.fail(f"{op} match pattern must be a string", here)
        if len(expr) > 1:
            raise self.fail(ONE_KEY, _at(expr, 1))
        return m.Prefix(arg) if op == PREFIX else m.Suffix(arg)

    def _wildcard(self, text: str, pos: int | None) -> list[object]:
        try:
            parts = wc.parse(text)
        except wc.WildcardError as exc:
            raise self.fail(str(exc), pos) from None
        self.wildcards.append(parts)
        return parts

    # -- numeric ------------------------------------------------------------

    def _num(self, value: Num, pos: int | None) -> int:
        try:
            return self.numbers.pattern_number(value.value)
        except ValueError as exc:
            raise self.fail(str(exc), pos) from None

    def _numeric(self, items: list[Any]) -> m.Matcher:
        """``[op, n]`` or ``[">"|">=", n, "<"|"<=", n]``, checked token by token."""
        n_items = len(items)

        def item(j: int) -> Any:
            return items[j] if j < n_items else _END

        def at(j: int) -> int | None:
            return _at(items, j) if j < n_items else _close(items)

        def full(j: int) -> int | None:
            return _full(items, j) if j < n_items else _close(items)

        close = _close(items)
        first = item(0)
        if not isinstance(first, str):
            raise self.fail(f"Invalid member in numeric match: {_text(first)}", at(0))
        op = first
        value = item(1)
        limit = Decimal(self.numbers.limit)
        if op == "=":
            if not isinstance(value, Num):
                raise self.fail("Value of equals must be numeric", at(1))
            if n_items > 2:
                raise self.fail(TOO_MANY_NUMERIC, at(2))
            n = self._num(value, close)
            return m.Numeric(n, False, n, False, self.numbers)
        if op in (">", ">="):
            if not isinstance(value, Num):
                raise self.fail(f"Value of {op} must be numeric", at(1))
            low_open = op == ">"
            second = item(2)
            if second is _END:
                return self._range(value.value, low_open, limit, False, close)
            if not isinstance(second, str):
                raise self.fail(f"Bad value in numeric range: {_text(second)}", at(2))
            if second not in ("<", "<="):
                raise self.fail(f"Bad numeric range operator: {second}", full(2))
            top = item(3)
            if not isinstance(top, Num):
                raise self.fail(f"Value of {second} must be numeric", at(3))
            if n_items > 4:
                raise self.fail("Too many terms in numeric range expression", at(4))
            return self._range(value.value, low_open, top.value, second == "<", close)
        if op in ("<", "<="):
            if not isinstance(value, Num):
                raise self.fail(f"Value of {op} must be numeric", at(1))
            if n_items > 2:
                raise self.fail(TOO_MANY_NUMERIC, at(2))
            return self._range(-limit, False, value.value, op == "<", close)
        raise self.fail(f"Unrecognized numeric range operator: {op}", at(1))

    def _range(
        self, low: Decimal, low_open: bool, high: Decimal, high_open: bool, pos: int | None
    ) -> m.Matcher:
        # The service checks the order of the bounds before their range.
        if low >= high:
            raise self.fail("Bottom must be less than top", pos)
        try:
            low_n = self.numbers.pattern_number(low)
            high_n = self.numbers.pattern_number(high)
        except ValueError as exc:
            raise self.fail(str(exc), pos) from None
        return m.Numeric(low_n, low_open, high_n, high_open, self.numbers)

    # -- anything-but ------------------------------------------------------

    def _anything_but(self, arg: Any, here: int | None) -> m.Matcher:
        kind = ANYTHING_BUT
        inner_obj: Obj | None = None
        if isinstance(arg, Obj):
            if not arg:
                raise self.fail("Anything-But expression name not found", arg.close)
            inner, value = arg[0]
            if inner not in (EQUALS_IGNORE_CASE, PREFIX, SUFFIX, WILDCARD) or not (
                self.dialect.supports(f"{ANYTHING_BUT}/{inner}")
            ):
                raise self.fail(f"Unsupported anything-but pattern: {inner}", _at(arg, 0))
            kind = inner
            self.operators_used.add(f"{ANYTHING_BUT}/{inner}")
            inner_obj = arg
            here = _at(arg, 0)
            full_here = _full(arg, 0)
            arg = value
        else:
            full_here = here
        if not (isinstance(arg, (str, Num)) or _is_array(arg)):
            raise self.fail(
                "Value of anything-but must be an array or single string/number value.", here
            )
        if _is_array(arg):
            if kind == ANYTHING_BUT:
                matcher = self._anything_but_list(arg)
            elif kind in (PREFIX, SUFFIX) and not self.dialect.supports("anything-but/list-set"):
                raise self.fail("prefix/suffix match pattern must be a string", here)
            else:
                matcher = self._anything_but_set(
                    kind,
                    arg,
                    [_at(arg, j) for j in range(len(arg))],
                    [_full(arg, j) for j in range(len(arg))],
                )
        elif kind == ANYTHING_BUT:
            if isinstance(arg, str):
                matcher = m.AnythingBut(frozenset([arg]), frozenset(), self.numbers)
            else:
                n = self._num(arg, here)
                matcher = m.AnythingBut(frozenset(), frozenset([n]), self.numbers)
        else:
            matcher = self._anything_but_set(kind, [arg], [here], [full_here])
        if inner_obj is not None and len(inner_obj) > 1:
            raise self.fail(TOO_MANY_NUMERIC, _at(inner_obj, 1))
        return matcher

    def _anything_but_list(self, values: list[Any]) -> m.Matcher:
        strings: set[str] = set()
        numbers: set[int] = set()
        for j, value in enumerate(values):
            if isinstance(value, str):
                strings.add(value)
            elif isinstance(value, Num):
                numbers.add(self._num(value, _at(values, j)))
            else:
                raise self.fail(
                    "Inside anything but list, start|null|boolean is not supported.",
                    _at(values, j),
                )
        if bool(strings) == bool(numbers):
            raise self.fail(
                "Inside anything but list, either all values are number or string, "
                "mixed type is not supported",
                _close(values),
            )
        return m.AnythingBut(frozenset(strings), frozenset(numbers), self.numbers)

    def _anything_but_set(
        self, kind: str, values: list[Any], here: list[int | None], full: list[int | None]
    ) -> m.Matcher:
        texts: list[str] = []
        for j, value in enumerate(values):
            if not isinstance(value, str):
                if kind == EQUALS_IGNORE_CASE:
                    raise self.fail(
                        "Inside anything-but/equals-ignore-case list, "
                        "number|start|null|boolean is not supported.",
                        here[j],
                    )
                if kind == WILDCARD:
                    raise self.fail("wildcard match pattern must be a string", here[j])
                raise self.fail("prefix/suffix match pattern must be a string", here[j])
            if kind in (PREFIX, SUFFIX) and not value:
                raise self.fail("Null prefix/suffix not allowed", full[j])
            texts.append(value)
        if kind == EQUALS_IGNORE_CASE:
            return m.AnythingButIgnoreCase(frozenset(t.lower() for t in texts))
        if kind == PREFIX:
            return m.AnythingButPrefix(tuple(texts))
        if kind == SUFFIX:
            return m.AnythingButSuffix(tuple(texts))
        parts = [self._wildcard(t, full[j]) for j, t in enumerate(texts)]
        return m.AnythingButWildcard(tuple(wc.compile_regex(p) for p in parts))


_END = object()


def _is_array(value: Any) -> bool:
    return isinstance(value, list) and not isinstance(value, Obj)


def _at(container: Any, index: int) -> int | None:
    pos = getattr(container, "pos", None)
    return pos[index] if pos is not None else None


def _full(container: Any, index: int) -> int | None:
    full = getattr(container, "full", None)
    return full[index] if full is not None else None


def _close(container: Any) -> int | None:
    return getattr(container, "close", None)


def _text(value: Any) -> str:
    if value is _END:
        return "]"
    return token_text(value)
