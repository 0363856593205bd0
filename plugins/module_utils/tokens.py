# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bootstrap-token helpers for the kubeadm_token module."""

import datetime
import json
import re

TOKEN_RE = re.compile(r'^[a-z0-9]{6}\.[a-z0-9]{16}$')
_DURATION_PART_RE = re.compile(r'(\d+(?:\.\d+)?)(h|m|s)')
_TIMESTAMP_RE = re.compile(
    r'^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:?\d{2})$'
)
_UNIT_SECONDS = {'h': 3600, 'm': 60, 's': 1}


class TokenError(ValueError):
    """Raised on unusable token data or options."""


def parse_duration(value, name='duration'):
    """Parse a Go-style duration (``2h``, ``90m``, ``1h30m0s``, ``0``) into seconds."""
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    else:
        text = str(value).strip()
        if text == '0':
            return 0
        pos = 0
        seconds = 0.0
        for match in _DURATION_PART_RE.finditer(text):
            if match.start() != pos:
                break
            seconds += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
            pos = match.end()
        if pos != len(text) or not text:
            raise TokenError('%s=%r is not a duration; use Go syntax such as 2h, 90m or 1h30m' % (name, value))
    if seconds < 0:
        raise TokenError('%s=%r must not be negative' % (name, value))
    return int(seconds)


def parse_token_durations(min_remaining, ttl):
    """Parse the module's min_remaining and ttl together: (seconds, seconds), or TokenError.

    The inventory validation (cluster_bootstrap_token_*) calls this too, so both refuse the same values.
    """
    min_seconds = parse_duration(min_remaining, 'min_remaining')
    ttl_seconds = parse_duration(ttl, 'ttl')
    if ttl_seconds and min_seconds >= ttl_seconds:
        raise TokenError('min_remaining (%s) must be shorter than ttl (%s): a fresh token would already count as '
                         'too old and every run would create another one' % (min_remaining, ttl))
    return min_seconds, ttl_seconds


def format_duration(seconds):
    """Format seconds the way kubeadm prints durations (``2h0m0s``)."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return '%dh%dm%ds' % (hours, minutes, secs)


class _FixedOffset(datetime.tzinfo):
    def __init__(self, minutes):
        self._offset = datetime.timedelta(minutes=minutes)

    def utcoffset(self, dt):
        return self._offset

    def dst(self, dt):
        return datetime.timedelta(0)

    def tzname(self, dt):
        return None


UTC = _FixedOffset(0)


def parse_timestamp(value):
    """Parse an RFC 3339 timestamp into an aware UTC datetime."""
    match = _TIMESTAMP_RE.match(str(value).strip())
    if not match:
        raise TokenError('%r is not an RFC 3339 timestamp' % (value,))
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    fraction = match.group(7) or '0'
    micro = int((fraction + '000000')[:6])
    zone = match.group(8)
    if zone in ('Z', 'z'):
        offset = 0
    else:
        sign = -1 if zone[0] == '-' else 1
        digits = zone[1:].replace(':', '')
        offset = sign * (int(digits[:2]) * 60 + int(digits[2:]))
    stamp = datetime.datetime(year, month, day, hour, minute, second, micro, tzinfo=_FixedOffset(offset))
    return stamp.astimezone(UTC)


def format_timestamp(stamp):
    return stamp.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')


def parse_token_list(text):
    """Parse ``kubeadm token list -o json``: one JSON object per token, concatenated."""
    decoder = json.JSONDecoder()
    text = text or ''
    tokens = []
    pos = 0
    length = len(text)
    while True:
        while pos < length and text[pos].isspace():
            pos += 1
        if pos >= length:
            break
        try:
            obj, pos = decoder.raw_decode(text, pos)
        except ValueError as exc:
            raise TokenError('kubeadm token list -o json printed something that is not JSON objects: %s' % exc) from exc
        items = obj.get('items') if isinstance(obj, dict) and isinstance(obj.get('items'), list) else [obj]
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get('token'), str):
                raise TokenError('kubeadm token list -o json printed an object without a "token" string')
            tokens.append(item)
    return tokens


def token_expiry(token):
    """Return the expiry datetime of a token dict, or None when it never expires."""
    expires = token.get('expires')
    if not expires:
        return None
    return parse_timestamp(expires)


def select_token(tokens, usages, groups, min_remaining_seconds, now):
    """Pick the reusable token that lives longest, or None.

    A token is reusable when it has every requested usage and group and stays
    valid for at least ``min_remaining_seconds`` after ``now`` (an aware datetime:
    the caller owns the clock, so tests pin it); tokens that never expire win.
    """
    horizon = now + datetime.timedelta(seconds=min_remaining_seconds)
    best = None
    best_expiry = None
    for token in tokens:
        if not set(usages).issubset(set(token.get('usages') or [])):
            continue
        if not set(groups).issubset(set(token.get('groups') or [])):
            continue
        expiry = token_expiry(token)
        if expiry is not None and expiry < horizon:
            continue
        if best is None or (best_expiry is not None and (expiry is None or expiry > best_expiry)):
            best = token
            best_expiry = expiry
    return best


def parse_created_token(text):
    """Return the token printed by ``kubeadm token create``."""
    for line in reversed((text or '').splitlines()):
        candidate = line.strip()
        if TOKEN_RE.match(candidate):
            return candidate
    raise TokenError('kubeadm token create did not print a token of the form [a-z0-9]{6}.[a-z0-9]{16}')


def token_id(token):
    return token.split('.', 1)[0]
