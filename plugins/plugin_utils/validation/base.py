# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Value helpers shared by the inventory checks and the node preflight (controller side).

Every check is a pure function on plain dicts and strings, so that it can be unit tested without
Ansible. Every problem is one string that names the variable (and the host), then ``DASH``, then
how to fix it.
"""

import ipaddress
import re

DASH = ' \u2014 '

_DNS_LABEL_RE = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')
_DNS_LABEL_ANY_CASE_RE = re.compile(r'^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$')
_BOOL_STRINGS = ('true', 'false', 'yes', 'no', 'on', 'off', '1', '0')


def to_text(value):
    return '%s' % (value,)


def is_str(value):
    return isinstance(value, str)


def type_name(value):
    """YAML-level type name (Ansible passes its own list and dict subclasses)."""
    for kind, name in ((bool, 'boolean'), (str, 'string'), (int, 'integer'), (float, 'number'), (dict, 'mapping'),
                       (list, 'list'), (type(None), 'null')):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def is_bool(value):
    return isinstance(value, bool) or (is_str(value) and value.lower() in _BOOL_STRINGS)


def to_bool(value):
    if isinstance(value, bool):
        return value
    return is_str(value) and value.lower() in ('true', 'yes', 'on', '1')


def to_port(value):
    """Return the port as int, or None when it is not a valid TCP port."""
    if isinstance(value, bool):
        return None
    if is_str(value) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 1 <= value <= 65535:
        return value
    return None


def to_ip(value):
    try:
        return ipaddress.ip_address(to_text(value).strip())
    except ValueError:
        return None


def is_dns_subdomain(name, allow_upper=False):
    """RFC 1123 subdomain: dot-separated labels of letters, digits and '-', at most 253 characters."""
    if not is_str(name) or not name or len(name) > 253:
        return False
    label_re = _DNS_LABEL_ANY_CASE_RE if allow_upper else _DNS_LABEL_RE
    return all(len(label) <= 63 and label_re.match(label) for label in name.split('.'))


def unique(items):
    """``items`` without repeats, in their first order (works for unhashable items too)."""
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen
