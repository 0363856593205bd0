# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ``kubeadm certs check-expiration --output json`` says, measured against a given time."""

import datetime
import json

UTC = datetime.timezone.utc


class CertificateReportError(ValueError):
    pass


def _parse_time(value, what):
    if isinstance(value, datetime.datetime):
        # Ansible's now(utc=true) is naive but in UTC; now() without utc would be local time.
        stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
    else:
        text = str(value).strip()
        if text.endswith('Z'):
            text = text[:-1] + '+00:00'
        try:
            stamp = datetime.datetime.fromisoformat(text)
        except ValueError as exc:
            raise CertificateReportError('%s %r is not an RFC 3339 time' % (what, value)) from exc
        if stamp.tzinfo is None:
            raise CertificateReportError('%s %r has no time zone: write it in UTC with a Z' % (what, value))
    return stamp.astimezone(UTC)


def certificate_report(output, now, warn_days=30):
    """One row per certificate and CA: name, kind, ca, expires, days_left, status.

    ``output`` is the JSON text (or the parsed object) of ``kubeadm certs check-expiration
    --output json``; ``now`` the time to measure against (an aware datetime or an RFC 3339
    string: the caller owns the clock). ``status`` is ``missing``, ``external`` (externally
    managed: not renewed by kubeadm), ``expired``, ``renew`` (fewer than ``warn_days`` left) or
    ``ok``. kubeadm's own residualTime is ignored: it was measured at another moment.
    """
    if isinstance(output, (str, bytes)):
        try:
            output = json.loads(output)
        except ValueError as exc:
            raise CertificateReportError('not the JSON of kubeadm certs check-expiration --output json: %s'
                                         % exc) from exc
    if not isinstance(output, dict) or output.get('kind') != 'CertificateExpirationInfo':
        raise CertificateReportError('expected kind CertificateExpirationInfo from kubeadm certs check-expiration '
                                     '--output json')
    now = _parse_time(now, 'now')
    rows = []
    for kind, key in (('certificate', 'certificates'), ('authority', 'certificateAuthorities')):
        for entry in output.get(key) or []:
            row = {'name': entry.get('name'), 'kind': kind, 'ca': entry.get('caName', ''),
                   'expires': None, 'days_left': None}
            if entry.get('missing'):
                row['status'] = 'missing'
            else:
                expires = _parse_time(entry.get('expirationDate'), '%s expirationDate' % row['name'])
                row['expires'] = expires.strftime('%Y-%m-%dT%H:%M:%SZ')
                row['days_left'] = (expires - now).days
                if entry.get('externallyManaged'):
                    row['status'] = 'external'
                elif expires <= now:
                    row['status'] = 'expired'
                elif expires - now < datetime.timedelta(days=warn_days):
                    row['status'] = 'renew'
                else:
                    row['status'] = 'ok'
            rows.append(row)
    return rows
