# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.certificates import (
    CertificateReportError,
    certificate_report,
)
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.filters import filter_from

DOCUMENTATION = r'''
name: kubeadm_certificate_report
short_description: Expiry of every kubeadm-managed certificate, measured against a given time
version_added: 0.2.0
description:
  - Reads the output of C(kubeadm certs check-expiration --output json) (Kubernetes 1.27 and later) and returns one
    row per certificate and certificate authority with its expiry, the whole days left and a status.
  - The time is an input, never the clock of the filter, so reports and tests are repeatable.
author:
  - duoshou.kubeadm maintainers (@duoshou)
options:
  _input:
    description: The JSON text, or the parsed object, of C(kubeadm certs check-expiration --output json).
    type: raw
    required: true
  now:
    description:
      - The time to measure against - C(now(utc=true)) (a naive datetime is taken as UTC), an aware datetime,
        or an RFC 3339 string with its time zone.
    type: raw
    required: true
  warn_days:
    description: Rows with fewer days left get the status C(renew).
    type: int
    default: 30
'''

EXAMPLES = r'''
- name: Ask kubeadm for the certificates' expiry
  ansible.builtin.command:
    argv: [kubeadm, certs, check-expiration, --output, json]
  register: expiration
  changed_when: false

- name: Show the certificates that need renewing
  ansible.builtin.debug:
    msg: "{{ expiration.stdout | duoshou.kubeadm.kubeadm_certificate_report(now(utc=true), warn_days=60)
             | rejectattr('status', 'equalto', 'ok') | list }}"
'''

RETURN = r'''
_value:
  description: One dict per certificate, then per authority.
  type: list
  elements: dict
  contains:
    name: {description: kubeadm's name (C(apiserver), C(admin.conf), C(ca), ...)., type: str}
    kind: {description: C(certificate) or C(authority)., type: str}
    ca: {description: The signing authority of a certificate; empty for authorities., type: str}
    expires: {description: notAfter in UTC (RFC 3339); null when missing., type: str}
    days_left:
      description: Whole days from O(now) to the expiry (negative when expired); null when missing.
      type: int
    status:
      description:
        - C(ok), C(renew) (fewer than O(warn_days) left), C(expired), C(missing),
          or C(external) (not renewed by kubeadm).
      type: str
'''


kubeadm_certificate_report = filter_from('kubeadm_certificate_report', certificate_report, CertificateReportError)


class FilterModule:
    def filters(self):
        return {'kubeadm_certificate_report': kubeadm_certificate_report}
