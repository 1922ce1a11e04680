"""Safe, bounded YAML that remembers the line of every key.

Collectors' YAML is untrusted: aliases are refused (no "billion laughs"), the
number of nodes is bounded, and YAML 1.1's surprising implicit types are off
(`12:30` stays a string instead of 750, `0755` is not octal, `no` is not
False). Dates stay strings: pipeline.dates parses them with our own rules.

Text with no anchor, alias or tag character and little flow nesting is composed
by libyaml (CSafeLoader, several times faster); anything else, and anything
libyaml refuses, goes through the pure-Python loader that enforces the rules
above and words the errors. Both resolve the same restricted implicit types.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

MAX_NODES = 20_000
MAX_DEPTH = 12

Path = tuple  # ("persons", 0, "name")


class YamlProblem(Exception):
    """A YAML problem with the 1-based line it happened on (relative to the text)."""

    def __init__(self, code: str, line: int, detail: str, fix: str | None = None):
        super().__init__(detail)
        self.code = code
        self.line = line
        self.detail = detail
        self.fix = fix  # None: the code's own fix


class _StrictLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise YamlProblem(
                "yaml-alias",
                event.start_mark.line + 1,
                f"第 {event.start_mark.line + 1} 行使用了 YAML 引用 *{event.anchor}",
            )
        self._node_count = getattr(self, "_node_count", 0) + 1
        if self._node_count > MAX_NODES:
            mark = self.peek_event().start_mark
            raise YamlProblem("yaml-too-complex", mark.line + 1, f"信息块超过 {MAX_NODES} 个条目")
        return super().compose_node(parent, index)


_FastLoader = type("_FastLoader", (getattr(yaml, "CSafeLoader", _StrictLoader),), {})
# Only text that cannot hold an anchor (&), alias (*) or explicit tag (!), and whose flow
# nesting is shallow, may take the libyaml path: it has no hook to refuse aliases.
_NEEDS_STRICT = re.compile(r"[&*!]")
_MAX_FAST_BRACKETS = 256

# Keep only unsurprising implicit types: null, true/false, decimal ints and floats.
for _loader in {_StrictLoader, _FastLoader}:
    _loader.yaml_implicit_resolvers = {}
    for _tag, _regexp, _first in [
        ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
        ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
        ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", list("-+0123456789")),
        ("tag:yaml.org,2002:float", r"^[-+]?(?:[0-9]+\.[0-9]+)$", list("-+0123456789")),
    ]:
        _loader.add_implicit_resolver(_tag, re.compile(_regexp), _first)


class _Resolving:
    """The resolver's part with no path resolvers and no wildcard implicit ones (neither is ever added here):
    libyaml's composer calls these three for every node, and PyYAML's own build a list each time."""

    def descend_resolver(self, current_node, current_index):
        return None

    def ascend_resolver(self):
        return None

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return self.DEFAULT_SCALAR_TAG
        return self.DEFAULT_SEQUENCE_TAG if kind is SequenceNode else self.DEFAULT_MAPPING_TAG


if _FastLoader is not _StrictLoader:
    _FastLoader = type("_FastLoader", (_Resolving, _FastLoader), {})

_STR = "tag:yaml.org,2002:str"
_SAFE_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:str",
}


@dataclass
class Tree:
    value: object
    lines: dict[Path, int] = field(default_factory=dict)

    def line(self, path: Path, default: int = 1) -> int:
        """Line of a key path, falling back to its nearest known parent."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), default)


KeyMapper = Callable[[Path, str], str]


def parse(text: str, line_offset: int = 0, map_key: KeyMapper | None = None) -> Tree:
    """Parse YAML text; lines in the result are 1-based and shifted by line_offset."""
    try:
        loader, node = _compose_fast(text)
        if loader is None:
            loader, node = _compose_strict(text, line_offset)
        tree = Tree(None)
        if node is None:
            return tree
        surrogates = "\\" in text or _SURROGATE.search(text) is not None
        builder = _Builder(loader, line_offset, map_key or (lambda _p, k: k), tree.lines, surrogates)
        tree.value = builder.build(node, ())
    except RecursionError:  # PyYAML composes recursively: [[[[…]]]] deep enough to exhaust the stack
        line = _deep_flow_line(text) + line_offset
        raise YamlProblem("yaml-too-complex", line, f"第 {line} 行起{TOO_DEEP}", DEEP_FIX) from None
    return tree


TOO_DEEP = "信息块结构过深，请检查方括号和缩进"
DEEP_FIX = "删去多余的 [ ] { }，缩进对齐；信息块每项写成“键: 值”，列表最多套两三层"
_FLOW_BRACKETS = re.compile(r"[\[\]{}\n]")


def _deep_flow_line(text: str) -> int:
    """The line where brackets first nest deeper than MAX_DEPTH (1 if they never do)."""
    depth, line = 0, 1
    for match in _FLOW_BRACKETS.finditer(text):
        char = match.group()
        if char == "\n":
            line += 1
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        else:
            depth = max(0, depth - 1)
    return 1


def _compose_fast(text: str):
    """(loader, node) from libyaml, or (None, None) when the strict loader must decide."""
    if (
        _FastLoader is _StrictLoader
        or _NEEDS_STRICT.search(text)
        or text.count("[") + text.count("{") > _MAX_FAST_BRACKETS
    ):
        return None, None
    loader = _FastLoader(text)
    try:
        return loader, loader.get_single_node()
    except yaml.YAMLError:
        return None, None  # let the strict loader find and word the problem
    finally:
        loader.dispose()


def _compose_strict(text: str, line_offset: int):
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
    except YamlProblem as problem:
        problem.line += line_offset
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        raise YamlProblem("yaml-syntax", line, _describe_yaml_error(error)) from None
    except yaml.YAMLError as error:
        raise YamlProblem("yaml-syntax", 1 + line_offset, str(error)) from None
    finally:
        loader.dispose()
    return loader, node


def _describe_yaml_error(error: yaml.MarkedYAMLError) -> str:
    problem = (error.problem or "").strip()
    known = {
        "could not find expected ':'": "缺少英文冒号“:”",
        "mapping values are not allowed here": "冒号位置不对（值里含冒号时请用英文引号括起来）",
        "found character '\\t' that cannot start any token": "使用了 Tab",
        "found undefined alias": "使用了未定义的引用",
    }
    for english, chinese in known.items():
        if english in problem:
            return f"信息块格式错误：{chinese}"
    return f"信息块格式错误（{problem or '无法解析'}）"


class _Builder:
    def __init__(self, loader, line_offset: int, map_key: KeyMapper, lines: dict, surrogates: bool = True):
        self.loader = loader
        self.first_line = line_offset + 1  # marks count lines from 0
        self.map_key = map_key
        self.lines = lines
        self.surrogates = surrogates  # whether a value may hold any (the text, or an escape in it, does)
        self.nodes = 0

    def line_of(self, node) -> int:
        return node.start_mark.line + self.first_line

    def count(self, node, path: Path) -> None:
        if len(path) > MAX_DEPTH:
            line = self.line_of(node)
            raise YamlProblem("yaml-too-complex", line, f"第 {line} 行起{TOO_DEEP}", DEEP_FIX)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlProblem("yaml-too-complex", self.line_of(node), f"信息块超过 {MAX_NODES} 个条目")

    def build(self, node, path: Path):
        self.count(node, path)
        self.lines.setdefault(path, self.line_of(node))
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _mapping(self, node: MappingNode, path: Path) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise YamlProblem("yaml-syntax", self.line_of(key_node), "字段名必须是文字")
            raw_key = str(self._scalar(key_node))
            key = self.map_key(path, raw_key)
            if key in result:
                raise YamlProblem(
                    "yaml-syntax", self.line_of(key_node), f"字段“{raw_key}”重复出现（可能同时写了中文和英文字段名）"
                )
            key_path = path + (key,)
            self.lines[key_path] = self.line_of(key_node)
            if isinstance(value_node, ScalarNode):  # most values: their line is their key's
                self.count(value_node, key_path)
                result[key] = self._scalar(value_node)
            else:
                result[key] = self.build(value_node, key_path)
        return result

    def _scalar(self, node: ScalarNode):
        if node.tag == _STR or node.tag not in _SAFE_TAGS:  # most scalars: their text is their value
            value = node.value  # unknown explicit tags (!!python/object, !!timestamp, ...) are read as text
        else:
            value = self.loader.construct_object(node, deep=True)
            if not isinstance(value, str):
                return value
        return _whole_characters(value) if self.surrogates else value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _whole_characters(text: str) -> str:
    """ "\\ud800\\udc00" escapes give surrogates no page can be encoded with: pair them, replace strays."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
