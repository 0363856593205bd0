# -*- coding: utf-8 -*-
# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Load the YAML that kubeadm and the kubelet write, with or without PyYAML.

Nodes do not always have PyYAML for the Python that runs modules. The
fallback parser covers the block-style YAML that Go's YAML encoders emit
(kubeadm ClusterConfiguration, kubelet config.yaml, kubeconfig files):
nested mappings, sequences (also at the parent key's indentation), plain and
quoted scalars, ``{}`` / ``[]`` and simple flow lists, ``|`` / ``>`` blocks
and comments. It does not do anchors, tags, multiple documents or complex
flow collections.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

try:
    import yaml as _yaml
except ImportError:  # pragma: no cover - exercised by forcing HAS_PYYAML off in tests
    _yaml = None

HAS_PYYAML = _yaml is not None

_INT_RE = re.compile(r'^[-+]?[0-9]+$')
_KEY_RE = re.compile(r'''^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^'"#\s][^#]*?)\s*:(?:\s+|$)(.*)$''')


class YamlError(ValueError):
    """Raised when the fallback parser meets YAML it does not understand."""


def load(text, force_fallback=False):
    """Parse ``text``; return (data, parser_name)."""
    if HAS_PYYAML and not force_fallback:
        try:
            return _yaml.safe_load(text), 'pyyaml'
        except _yaml.YAMLError as exc:
            raise YamlError('invalid YAML: %s' % exc) from exc
    return fallback_load(text), 'fallback'


def _strip_comment(line):
    quote = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in ('"', "'") and (index == 0 or line[index - 1] in ' \t:-[{,'):
            quote = char
        elif char == '#' and (index == 0 or line[index - 1] in ' \t'):
            return line[:index].rstrip()
    return line.rstrip()


def _scalar(text):
    text = text.strip()
    if text == '' or text in ('~', 'null', 'Null', 'NULL'):
        return None
    if text[0] == '"':
        if len(text) < 2 or text[-1] != '"':
            raise YamlError('unterminated double-quoted string: %s' % text)
        try:
            return json.loads(text)
        except ValueError:
            return text[1:-1]
    if text[0] == "'":
        if len(text) < 2 or text[-1] != "'":
            raise YamlError('unterminated single-quoted string: %s' % text)
        return text[1:-1].replace("''", "'")
    if text == '{}':
        return {}
    if text == '[]':
        return []
    if text[0] == '[' and text[-1] == ']':
        return [_scalar(part) for part in text[1:-1].split(',') if part.strip()]
    if text[0] == '{':
        raise YamlError('flow mappings are not supported by the fallback parser: %s' % text)
    if text in ('true', 'True', 'TRUE'):
        return True
    if text in ('false', 'False', 'FALSE'):
        return False
    if _INT_RE.match(text):
        return int(text)
    return text


def _is_item(content):
    """True for a line that starts a block sequence item ("- x" or a lone "-")."""
    return content == '-' or content.startswith('- ')


class _Parser(object):
    def __init__(self, text):
        self.lines = []
        raw_lines = text.replace('\r\n', '\n').replace('\r', '\n').split('\n')
        for number, raw in enumerate(raw_lines, 1):
            if '\t' in raw[:len(raw) - len(raw.lstrip())]:
                raise YamlError('line %d: tabs are not allowed for indentation' % number)
            stripped = raw.strip()
            if stripped in ('---', '...'):
                if any(_strip_comment(line[1]).strip() for line in self.lines):
                    break
                continue
            # Raw text is kept so that block scalars can keep their comments and blank lines.
            self.lines.append([len(raw) - len(raw.lstrip(' ')), raw, number])
        self.pos = 0

    def _content(self, index):
        return _strip_comment(self.lines[index][1]).strip()

    def _skip_blank(self):
        while self.pos < len(self.lines) and not self._content(self.pos):
            self.pos += 1

    def _next(self):
        """Skip blank lines; return the next line and its content, or (None, None) at the end."""
        self._skip_blank()
        if self.pos >= len(self.lines):
            return None, None
        return self.lines[self.pos], self._content(self.pos)

    def parse(self):
        self._skip_blank()
        if self.pos >= len(self.lines):
            return None
        value = self._block(self.lines[self.pos][0])
        self._skip_blank()
        if self.pos < len(self.lines):
            raise YamlError('line %d: unexpected indentation' % self.lines[self.pos][2])
        return value

    def _block(self, indent):
        content = self._content(self.pos)
        if _is_item(content):
            return self._sequence(indent)
        if _KEY_RE.match(content):
            return self._mapping(indent)
        value = _scalar(content)
        self.pos += 1
        return value

    def _sequence(self, indent):
        items = []
        while True:
            line, content = self._next()
            if line is None or line[0] != indent or not _is_item(content):
                break
            rest = content[1:].lstrip(' ')
            if not rest:
                self.pos += 1
                items.append(self._child(indent, allow_same_indent_seq=False))
                continue
            # "- key: value" starts a mapping whose keys sit where "key" is.
            offset = line[1].index('-') + 1
            while line[1][offset] == ' ':
                offset += 1
            line[0] = offset
            line[1] = ' ' * offset + line[1][offset:]
            items.append(self._block(offset))
        return items

    def _child(self, indent, allow_same_indent_seq):
        line, content = self._next()
        if line is None:
            return None
        if line[0] > indent:
            return self._block(line[0])
        if allow_same_indent_seq and line[0] == indent and _is_item(content):
            return self._sequence(indent)
        return None

    def _block_scalar(self, indent, style):
        lines = []
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            if line[1].strip() and line[0] <= indent:
                break
            lines.append(line[1])
            self.pos += 1
        while lines and not lines[-1].strip():
            lines.pop()
        body_indent = min([len(x) - len(x.lstrip(' ')) for x in lines if x.strip()] or [0])
        lines = [x[body_indent:] for x in lines]
        text = ' '.join(x.strip() for x in lines) if style.startswith('>') else '\n'.join(lines)
        if '-' in style:
            return text
        return text + '\n' if text else text

    def _mapping(self, indent):
        result = {}
        while True:
            line, content = self._next()
            if line is None or line[0] < indent:
                break
            if line[0] > indent:
                raise YamlError('line %d: unexpected indentation' % line[2])
            if _is_item(content):
                break
            match = _KEY_RE.match(content)
            if not match:
                raise YamlError('line %d: expected "key: value", got %r' % (line[2], content))
            key = _scalar(match.group(1))
            value_text = match.group(2).strip()
            self.pos += 1
            if value_text in ('|', '|-', '|+', '>', '>-', '>+'):
                result[key] = self._block_scalar(indent, value_text)
            elif value_text:
                value = _scalar(value_text)
                # A plain scalar may continue on more-indented lines.
                while (isinstance(value, str) and value_text[0] not in '"\'[{' and self.pos < len(self.lines)
                       and self._content(self.pos) and self.lines[self.pos][0] > indent):
                    if _KEY_RE.match(self._content(self.pos)):
                        raise YamlError('line %d: unexpected indentation' % self.lines[self.pos][2])
                    value = value + ' ' + self._content(self.pos)
                    self.pos += 1
                result[key] = value
            else:
                result[key] = self._child(indent, allow_same_indent_seq=True)
        return result


def fallback_load(text):
    """Parse the YAML subset described in the module docstring."""
    if isinstance(text, bytes):
        text = text.decode('utf-8')
    return _Parser(text).parse()
